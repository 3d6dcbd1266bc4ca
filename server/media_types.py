"""GraphQL over HTTP media types: which one to answer in, from the request's Accept header."""

GRAPHQL_RESPONSE_JSON = "application/graphql-response+json"
APPLICATION_JSON = "application/json"


def _accepted_qualities(accept: str) -> dict[str, float]:
    """Media range -> quality of an Accept header (the first mention of a range wins)."""
    qualities: dict[str, float] = {}
    for media_range in accept.split(","):
        kind, *params = media_range.split(";")
        kind = kind.strip().lower()
        if not kind:
            continue
        quality = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = min(max(float(value.strip()), 0.0), 1.0)
                except ValueError:
                    quality = 1.0
        qualities.setdefault(kind, quality)
    return qualities


def response_media_type(accept: str | None) -> str | None:
    """GraphQL over HTTP: the media type to answer in, or None when the client accepts neither.

    application/graphql-response+json when the client accepts it at least as much as
    application/json (explicitly or through `application/*` or `*/*`); application/json otherwise,
    and without an Accept header, which older clients expect."""
    if not accept or not accept.strip():
        return APPLICATION_JSON
    qualities = _accepted_qualities(accept)
    modern = qualities.get(GRAPHQL_RESPONSE_JSON, 0.0)
    legacy = qualities.get(APPLICATION_JSON, qualities.get("application/*", qualities.get("*/*", 0.0)))
    if modern > 0 and modern >= legacy:
        return GRAPHQL_RESPONSE_JSON
    if legacy > 0:
        return APPLICATION_JSON
    return None
