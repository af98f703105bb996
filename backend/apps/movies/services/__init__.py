"""Catalog business logic: MovieService, GenreService, RecommendationService."""

from .audience import Audience, MoviePage
from .genres import GenreService
from .movies import MovieService
from .recommendations import RecommendationService

__all__ = ["Audience", "GenreService", "MoviePage", "MovieService", "RecommendationService"]
