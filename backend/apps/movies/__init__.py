"""The movie catalog mirrored from TMDb."""
