"""GraphQL operations generated from the exported schema, for tests that cover every field
(tests/integration/test_authorization_generated.py, test_roles_generated.py)."""

from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLScalarType,
    build_schema,
    get_named_type,
)
from test_schema_file import SCHEMA_FILE

SCHEMA = build_schema(SCHEMA_FILE.read_text())
NODE_TYPES = sorted(
    t.name for t in SCHEMA.type_map.values() if getattr(t, "interfaces", None) and any(i.name == "Node" for i in t.interfaces)
)

# Valid values for required inputs that are not IDs, so that only the foreign ID can make a call fail.
VALID = {
    ("CreatePhoneNumberInput", "address"): "+14155550188",
    ("CreateTelephonyConfigInput", "name"): "Intruder",
    ("CreateWorkflowInput", "name"): "Intruder",
}
SCALARS = {"String": "x", "Int": 1, "Boolean": False, "JSON": {}, "DateTime": "2026-01-01T00:00:00+00:00"}


def takes_id(field) -> bool:
    """True when an argument, or a field of an input argument, is an ID."""

    def has_id(type_, seen=()) -> bool:
        named = get_named_type(type_)
        if named.name == "ID":
            return True
        if isinstance(named, GraphQLInputObjectType) and named.name not in seen:
            return any(has_id(f.type, (*seen, named.name)) for f in named.fields.values())
        return False

    return any(has_id(arg.type) for arg in field.args.values())


def value_for(type_, owner: str, name: str, foreign_id: str):
    """A value of `type_`: the foreign ID for every ID, valid values elsewhere (required fields only)."""
    if isinstance(type_, GraphQLNonNull):
        return value_for(type_.of_type, owner, name, foreign_id)
    if isinstance(type_, GraphQLList):
        return [value_for(type_.of_type, owner, name, foreign_id)]
    if type_.name == "ID":
        return foreign_id
    if (owner, name) in VALID:
        return VALID[(owner, name)]
    if isinstance(type_, GraphQLEnumType):
        return next(iter(type_.values))
    if isinstance(type_, GraphQLScalarType):
        return SCALARS[type_.name]
    if type_.name == "TelephonyCredentialsInput":
        return {"twilio": {"accountSid": "AC" + "9" * 32, "authToken": "t" * 32}}
    return {
        field_name: value_for(field.type, type_.name, field_name, foreign_id)
        for field_name, field in type_.fields.items()
        if isinstance(field.type, GraphQLNonNull) or get_named_type(field.type).name == "ID"
    }


def arguments(field_name: str, field, foreign_id: str) -> dict:
    return {
        name: value_for(arg.type, field_name, name, foreign_id)
        for name, arg in field.args.items()
        if isinstance(arg.type, GraphQLNonNull) or get_named_type(arg.type).name == "ID"
    }


def selection(type_) -> str:
    named = get_named_type(type_)
    if isinstance(named, GraphQLScalarType | GraphQLEnumType):
        return ""
    scalar_fields = (
        [n for n, f in named.fields.items() if isinstance(get_named_type(f.type), GraphQLScalarType) and not f.args]
        if hasattr(named, "fields")
        else []
    )
    if "errors" in getattr(named, "fields", {}):
        scalar_fields.append("errors { code message }")
    if "nodes" in getattr(named, "fields", {}):
        scalar_fields.append("nodes { __typename }")
    return "{ __typename " + " ".join(scalar_fields) + " }"


def operation(kind: str, field_name: str, field, foreign_id: str) -> tuple[str, dict]:
    args = arguments(field_name, field, foreign_id)
    variables = {f"v{i}": value for i, value in enumerate(args.values())}
    declared = ", ".join(f"$v{i}: {field.args[name].type}" for i, name in enumerate(args))
    passed = ", ".join(f"{name}: $v{i}" for i, name in enumerate(args))
    header = f"{kind}({declared})" if declared else kind
    call = f"{field_name}({passed})" if passed else field_name
    return f"{header} {{ {call} {selection(field.type)} }}", variables
