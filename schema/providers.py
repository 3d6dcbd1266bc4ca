"""Provider-derived GraphQL types: the provider enum, the credentials inputs and `telephonyProviders`.

Everything here is generated from the plugins' declared credential fields, so a provider
installed through the `switchboard.providers` entry point appears in the schema by itself.
"""

from enum import Enum
from typing import Any, Optional

import strawberry
from switchboard.providers.base import Connectivity, FieldType, ProviderPlugin
from switchboard.providers.registry import load_providers
from switchboard.resolvers.telephony_configs import CredentialsGiven

PROVIDERS = load_providers()

TelephonyProvider = strawberry.enum(
    Enum("TelephonyProvider", {key.upper(): key for key in PROVIDERS}, type=str),  # type: ignore[misc]
    name="TelephonyProvider",
)
ProviderFieldType = strawberry.enum(FieldType, name="ProviderFieldType")
ProviderConnectivity = strawberry.enum(Connectivity, name="ProviderConnectivity")


def input_type_name(plugin: ProviderPlugin) -> str:
    return f"{plugin.key.capitalize()}CredentialsInput"


def _credentials_input(plugin: ProviderPlugin) -> type:
    namespace: dict[str, Any] = {
        "__annotations__": {field.name: Optional[str] for field in plugin.fields},  # noqa: UP045
        **{field.name: strawberry.UNSET for field in plugin.fields},
    }
    return strawberry.input(type(input_type_name(plugin), (), namespace), name=input_type_name(plugin))


_CREDENTIAL_INPUTS = {key: _credentials_input(plugin) for key, plugin in PROVIDERS.items()}

TelephonyCredentialsInput = strawberry.input(
    type(
        "TelephonyCredentialsInput",
        (),
        {
            "__annotations__": {key: Optional[cls] for key, cls in _CREDENTIAL_INPUTS.items()},  # noqa: UP045
            **{key: strawberry.UNSET for key in _CREDENTIAL_INPUTS},
        },
    ),
    name="TelephonyCredentialsInput",
    one_of=True,
    description=(
        "Exactly one provider's credentials. Fields are optional in the schema: the server enforces the "
        "provider's required fields on create, and on update an omitted field keeps its stored value."
    ),
)


def credentials_given(value: Any) -> CredentialsGiven:
    """The provider chosen in a TelephonyCredentialsInput (@oneOf guarantees exactly one) and its fields."""
    for key in _CREDENTIAL_INPUTS:
        chosen = getattr(value, key, strawberry.UNSET)
        if chosen is not strawberry.UNSET and chosen is not None:
            fields = {
                field.name: getattr(chosen, field.name)
                for field in PROVIDERS[key].fields
                if getattr(chosen, field.name) is not strawberry.UNSET
            }
            return CredentialsGiven(provider=key, values=fields)
    raise ValueError("TelephonyCredentialsInput names no provider")


@strawberry.type
class ProviderFieldOption:
    value: str
    label: str


@strawberry.type(description="One field of a provider's credentials form.")
class ProviderField:
    name: str
    label: str
    type: ProviderFieldType
    required: bool
    secret: bool
    description: str | None
    placeholder: str | None
    pattern: str | None
    default_value: str | None
    options: list[ProviderFieldOption] | None


@strawberry.type
class TelephonyProviderInfo:
    provider: TelephonyProvider
    display_name: str
    notes: str | None
    docs_url: str | None
    connectivity: ProviderConnectivity
    supports_inbound_sync: bool
    supports_inbound_dispatch: bool = strawberry.field(
        description="True when Switchboard answers this provider's inbound calls at /telephony/{provider}/inbound."
    )
    fields: list[ProviderField]

    @classmethod
    def of(cls, plugin: ProviderPlugin) -> "TelephonyProviderInfo":
        return cls(
            provider=TelephonyProvider(plugin.key),
            display_name=plugin.display_name,
            notes=plugin.notes,
            docs_url=plugin.docs_url,
            connectivity=plugin.connectivity,
            supports_inbound_sync=plugin.supports_inbound_sync,
            supports_inbound_dispatch=plugin.supports_inbound_dispatch,
            fields=[
                ProviderField(
                    name=field.name,
                    label=field.label,
                    type=field.type,
                    required=field.required,
                    secret=field.secret,
                    description=field.description,
                    placeholder=field.placeholder,
                    pattern=field.pattern,
                    default_value=field.default,
                    options=[ProviderFieldOption(value=v, label=lbl) for v, lbl in field.options] or None,
                )
                for field in plugin.fields
            ],
        )


PROVIDER_INFOS = [TelephonyProviderInfo.of(plugin) for plugin in PROVIDERS.values()]
