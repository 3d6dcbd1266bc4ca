"""The resolver `info` type, typed with Switchboard's request context."""

import strawberry
from switchboard.resolvers.context import RequestContext

Info = strawberry.Info[RequestContext, None]
