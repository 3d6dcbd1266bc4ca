"""The Relay Node interface."""

import strawberry
from switchboard.resolvers.ids import to_global_id


@strawberry.interface(description="An object with a globally unique, opaque ID (Relay).")
class Node:
    """Implemented by types with a `database_id`."""

    @strawberry.field
    def id(self) -> strawberry.ID:
        """Encoded when selected: a page builds its objects whether or not it asks for their IDs."""
        return strawberry.ID(to_global_id(type(self).__strawberry_definition__.name, self.database_id))
