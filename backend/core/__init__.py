"""Cross-cutting pieces shared by every app: envelope, errors, mixins, TMDb client, cache."""
