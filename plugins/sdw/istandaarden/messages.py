"""The message types of iWmo 3.2 and iJw 3.2 and how to recognise them.

The law of a message is given by its namespace (``.../iwmo/3_2/...`` or ``.../ijw/3_2/...``),
never by a field; the message type by the namespace of the root element and the BerichtCode.
"""

from __future__ import annotations

from dataclasses import dataclass

LAWS = ("wmo", "jeugdwet")

# Namespace "standard" segment per law and the prefix the standard uses for message names.
_STANDARD = {"wmo": "iwmo", "jeugdwet": "ijw"}
_PREFIX = {"wmo": "wmo", "jeugdwet": "jw"}

# Vektis COD002 berichtcodes per law and message number.
BERICHTCODES: dict[str, dict[str, str]] = {
    "wmo": {
        "301": "414",
        "302": "415",
        "305": "418",
        "306": "419",
        "307": "420",
        "308": "421",
        "315": "444",
        "316": "445",
        "317": "480",
        "318": "481",
        "319": "482",
        "320": "483",
        "323": "484",
        "325": "485",
    },
    "jeugdwet": {
        "301": "436",
        "302": "437",
        "305": "438",
        "306": "439",
        "307": "440",
        "308": "441",
        "315": "446",
        "316": "447",
        "317": "486",
        "318": "487",
        "319": "488",
        "320": "489",
        "323": "490",
        "325": "491",
    },
}

# Who sends what: the municipality sends 301/319/325 and the retour messages on provider
# messages (306, 308, 316, 318); providers send the rest, including 302 and 320.
MUNICIPALITY_SENDS = frozenset({"301", "306", "308", "316", "318", "319", "325"})


def basisschema_namespace(law: str) -> str:
    std = _STANDARD[law]
    return f"http://www.istandaarden.nl/{std}/3_2/basisschema/schema"


def message_namespace(law: str, number: str) -> str:
    std, prefix = _STANDARD[law], _PREFIX[law]
    return f"http://www.istandaarden.nl/{std}/3_2/{prefix}{number}/schema"


def message_name(law: str, number: str) -> str:
    """The standard's own name of a message, e.g. ``WMO323`` or ``JW301``."""
    return f"{_PREFIX[law].upper()}{number}"


@dataclass(frozen=True)
class MessageType:
    law: str
    number: str  # '301', '323', ...

    @property
    def namespace(self) -> str:
        return message_namespace(self.law, self.number)

    @property
    def basis_namespace(self) -> str:
        return basisschema_namespace(self.law)

    @property
    def berichtcode(self) -> str:
        return BERICHTCODES[self.law][self.number]

    @property
    def name(self) -> str:
        return message_name(self.law, self.number)

    @property
    def municipality_is_sender(self) -> bool:
        return self.number in MUNICIPALITY_SENDS


_BY_NAMESPACE: dict[str, MessageType] = {
    message_namespace(law, number): MessageType(law, number)
    for law in LAWS
    for number in BERICHTCODES[law]
}


def message_type_for_namespace(namespace: str) -> MessageType | None:
    """The message type whose root namespace this is, or None for anything else."""
    return _BY_NAMESPACE.get(namespace)
