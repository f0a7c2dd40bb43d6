"""A referral Bundle (POST /fhir/ServiceRequest, docs/fhir.md "Sending a referral") read into the JSON intake's own
shape (the fields of paedot.referrals.schemas.ReferralIn), with the FHIR path each field was read from. No database,
no request.

Every problem names the FHIR path it is about (Bundle.entry[1].resource.birthDate), and all of a Bundle's problems
are reported at once. What this does not read is refused rather than dropped (an entry nothing refers to, a resource
type or a modifier extension it does not know, contained resources): a part of a referral silently lost is worse
than a sender told to take it out.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from paedot.eligibility.codes import Difficulty
from paedot.fhir.resources import NHS_NUMBER_SYSTEM, ODS_SYSTEM, SOURCE_OF_SERVICE_REQUEST, Context

MAX_ENTRIES = 20
BUNDLE_TYPES = ("transaction", "collection")
# What a referral Bundle may hold; anything else is refused, not ignored. One each of ONE_EACH, at most one Consent.
READ_TYPES = (
    "ServiceRequest",
    "Patient",
    "RelatedPerson",
    "PractitionerRole",
    "Practitioner",
    "Organization",
    "Consent",
)
ONE_EACH = ("ServiceRequest", "Patient", "RelatedPerson")

# HL7 v3 RoleCode family relationships, for a RelatedPerson.relationship sent as a code with neither text nor
# display. Text or display is what is stored when there is one.
V3_ROLE_CODE = "http://terminology.hl7.org/CodeSystem/v3-RoleCode"
RELATIONSHIPS: dict[str, str] = {
    "MTH": "Mother",
    "FTH": "Father",
    "PRN": "Parent",
    "NMTH": "Mother",
    "NFTH": "Father",
    "ADOPTMTH": "Adoptive mother",
    "ADOPTFTH": "Adoptive father",
    "STPMTH": "Stepmother",
    "STPFTH": "Stepfather",
    "GRMTH": "Grandmother",
    "GRFTH": "Grandfather",
    "GRPRN": "Grandparent",
    "AUNT": "Aunt",
    "UNCLE": "Uncle",
    "BRO": "Brother",
    "SIS": "Sister",
    "SIB": "Sibling",
}
DIFFICULTY_WORDS: dict[str, str] = {
    **{code.lower(): code for code in Difficulty.values},
    **{str(label).lower(): code for code, label in Difficulty.choices},
}


@dataclass(frozen=True)
class Problem:
    path: str  # a FHIRPath expression: Bundle.entry[1].resource.birthDate
    message: str
    code: str = "invalid"  # the OperationOutcome issue type


class BundleRefused(Exception):
    """The body is not a referral this intake can read: nothing is stored."""

    def __init__(self, problems: list[Problem], status: int = 400) -> None:
        super().__init__("; ".join(f"{p.path}: {p.message}" for p in problems))
        self.problems = problems
        self.status = status


# --- Reading ----------------------------------------------------------------------------------------------------------


@dataclass
class Entry:
    index: int
    resource: dict[str, Any]
    full_url: str

    @property
    def type(self) -> str:
        return self.resource["resourceType"]

    @property
    def path(self) -> str:
        return f"Bundle.entry[{self.index}].resource"


@dataclass(frozen=True)
class Logical:
    """A reference with no resource in the Bundle: an identifier and/or a display."""

    identifier: dict[str, Any]
    display: str


@dataclass
class SentReferral:
    """What the Bundle says, as the fields of ReferralIn, with the FHIR path each was read from."""

    payload: dict[str, Any]
    paths: dict[str, str]

    def path_of(self, loc: tuple[Any, ...]) -> str:
        parts = [str(part) for part in loc]
        while parts:
            if (found := self.paths.get(".".join(parts))) is not None:
                return found
            parts.pop()
        return "Bundle"


class _Reader:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.problems: list[Problem] = []
        self.entries: list[Entry] = []
        self.by_reference: dict[str, Entry] = {}
        self.used: set[int] = set()
        self.payload: dict[str, Any] = {"child": {}, "parent_carer": {}, "referrer": {}}
        self.paths: dict[str, str] = {}

    # Small typed getters: a wrong type is a problem at its path, and the value is then treated as absent.

    def problem(self, path: str, message: str, code: str = "invalid") -> None:
        # An element can be read twice (the extensions, once per extension looked for): report it once.
        if (problem := Problem(path, message, code)) not in self.problems:
            self.problems.append(problem)

    def text(self, obj: dict[str, Any], key: str, path: str) -> str:
        value = obj.get(key)
        if value is None:
            return ""
        if not isinstance(value, str):
            self.problem(f"{path}.{key}", "must be a string")
            return ""
        return value

    def boolean(self, obj: dict[str, Any], key: str, path: str) -> bool | None:
        value = obj.get(key)
        if value is None:
            return None
        if not isinstance(value, bool):
            self.problem(f"{path}.{key}", "must be true or false")
            return None
        return value

    def obj(self, obj: dict[str, Any], key: str, path: str) -> dict[str, Any] | None:
        value = obj.get(key)
        if value is None:
            return None
        if not isinstance(value, dict):
            self.problem(f"{path}.{key}", "must be an object")
            return None
        return value

    def objects(self, obj: dict[str, Any], key: str, path: str) -> list[tuple[dict[str, Any], str]]:
        value = obj.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            self.problem(f"{path}.{key}", "must be an array")
            return []
        items = []
        for index, item in enumerate(value):
            if isinstance(item, dict):
                items.append((item, f"{path}.{key}[{index}]"))
            else:
                self.problem(f"{path}.{key}[{index}]", "must be an object")
        return items

    def put(self, field_path: str, value: Any, fhir_path: str) -> None:
        """One ReferralIn field ("child.date_of_birth"), and where it came from."""
        *parents, leaf = field_path.split(".")
        target = self.payload
        for parent in parents:
            target = target[parent]
        target[leaf] = value
        self.paths[field_path] = fhir_path

    # FHIR's common pieces.

    def extensions(self, resource: dict[str, Any], path: str) -> list[tuple[dict[str, Any], str, str]]:
        """[(extension, its path, its url)]; an unknown extension under our own base is refused (a misspelt one
        would otherwise be dropped), others are ignored as FHIR allows."""
        found = []
        for extension, where in self.objects(resource, "extension", path):
            url = self.text(extension, "url", where)
            if not url:
                self.problem(f"{where}.url", "is required")
            found.append((extension, where, url))
        return found

    def own_extension(self, resource: dict[str, Any], path: str, name: str) -> tuple[dict[str, Any], str] | None:
        matches = [(e, where) for e, where, url in self.extensions(resource, path) if url == self.ctx.extension(name)]
        if len(matches) > 1:
            self.problem(matches[1][1], f"repeats the {name} extension: send it once")
        return matches[0] if matches else None

    def check_own_extensions(self, resource: dict[str, Any], path: str, known: tuple[str, ...]) -> None:
        base = self.ctx.extension("")
        for _, where, url in self.extensions(resource, path):
            if url.startswith(base) and url.removeprefix(base) not in known:
                allowed = ", ".join(self.ctx.extension(name) for name in known) or "none"
                self.problem(f"{where}.url", f"is not an extension this service reads here (it reads: {allowed})")

    def codes(self, concept: dict[str, Any], path: str, system: str) -> list[tuple[str, str]]:
        """[(code, path of the code)] of the codings in `system`."""
        found = []
        for coding, where in self.objects(concept, "coding", path):
            if self.text(coding, "system", where) == system:
                code = self.text(coding, "code", where)
                if not code:
                    self.problem(f"{where}.code", "is required")
                found.append((code, f"{where}.code"))
        return found

    def words(self, concept: dict[str, Any], path: str) -> str:
        """A CodeableConcept in words: its text, else its first coding's display."""
        if text := self.text(concept, "text", path).strip():
            return text
        for coding, where in self.objects(concept, "coding", path):
            if display := self.text(coding, "display", where).strip():
                return display
        return ""

    def human_name(self, resource: dict[str, Any], path: str) -> tuple[dict, str] | None:
        names = self.objects(resource, "name", path)
        if resource.get("name") in (None, []):
            self.problem(f"{path}.name", "is required", "required")
        if not names:
            return None
        official = [(name, where) for name, where in names if name.get("use") == "official"]
        return (official or names)[0]

    def full_name(self, resource: dict[str, Any], path: str) -> tuple[str, str]:
        """A person's name as one line ("Dr Jo Example"): the name's text, else prefix, given names and family."""
        picked = self.human_name(resource, path)
        if picked is None:
            return "", f"{path}.name"
        name, where = picked
        if text := self.text(name, "text", where).strip():
            return text, where
        parts = [*self.strings(name, "prefix", where), *self.strings(name, "given", where)]
        parts.append(self.text(name, "family", where))
        joined = " ".join(part.strip() for part in parts if part.strip())
        if not joined:
            self.problem(where, "needs a text, or given and family names")
        return joined, where

    def strings(self, obj: dict[str, Any], key: str, path: str) -> list[str]:
        value = obj.get(key)
        if value is None:
            return []
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            self.problem(f"{path}.{key}", "must be an array of strings")
            return []
        return value

    def telecom(self, resource: dict[str, Any], path: str, system: str) -> tuple[str, str] | None:
        for point, where in self.objects(resource, "telecom", path):
            wanted = (system,) if system == "email" else ("phone", "sms")
            if self.text(point, "system", where) in wanted and (value := self.text(point, "value", where).strip()):
                return value, f"{where}.value"
        return None

    # References: to an entry by its fullUrl or Type/id, or logical (an identifier and/or a display).

    def resolve(self, reference: dict[str, Any], path: str, types: tuple[str, ...]) -> Entry | Logical | None:
        target = self.text(reference, "reference", path)
        if target:
            entry = self.by_reference.get(target)
            if entry is None:
                self.problem(
                    f"{path}.reference",
                    f"{target[:100]!r} is not in this Bundle: refer to an entry by its fullUrl (or Type/id)",
                )
                return None
            if entry.type not in types:
                self.problem(f"{path}.reference", f"must be a {' or '.join(types)}, not a {entry.type}")
                return None
            self.used.add(entry.index)
            return entry
        identifier = self.obj(reference, "identifier", path) or {}
        display = self.text(reference, "display", path).strip()
        if not identifier and not display:
            self.problem(path, "needs a reference to an entry, an identifier or a display")
            return None
        return Logical(identifier, display)

    def identifier_value(self, target: Entry | Logical, system: str) -> tuple[str, str] | None:
        """The identifier of `system` on a referenced entry (or on a logical reference), and its path."""
        if isinstance(target, Logical):
            if target.identifier.get("system") == system and isinstance(target.identifier.get("value"), str):
                return target.identifier["value"], ""
            return None
        for identifier, where in self.objects(target.resource, "identifier", target.path):
            if self.text(identifier, "system", where) == system:
                return self.text(identifier, "value", where), f"{where}.value"
        return None


def read_referral(bundle: Any, *, ctx: Context) -> SentReferral:
    """The referral a Bundle carries, in ReferralIn's shape: BundleRefused naming every problem's path otherwise."""
    reader = _Reader(ctx)
    _read_entries(reader, bundle)
    if reader.problems:
        raise BundleRefused(reader.problems)
    entries = {kind: [e for e in reader.entries if e.type == kind] for kind in READ_TYPES}
    service_request, patient, related_person = (entries[kind][0] for kind in ONE_EACH)
    for entry in (service_request, patient, related_person, *entries["Consent"]):
        reader.used.add(entry.index)
    for entry in reader.entries:
        _refuse_what_is_not_read(reader, entry)
    _read_service_request(reader, service_request, patient, related_person)
    _read_patient(reader, patient)
    _read_related_person(reader, related_person, patient)
    _read_consent(reader, entries["Consent"][0] if entries["Consent"] else None, patient)
    for entry in reader.entries if not reader.problems else ():  # a broken reference leaves its target unused
        if entry.index not in reader.used:
            reader.problem(
                f"Bundle.entry[{entry.index}]",
                f"this {entry.type} is not referred to by the ServiceRequest, Patient or PractitionerRole, so "
                "nothing in it would be read: take it out, or refer to it",
            )
    if reader.problems:
        raise BundleRefused(reader.problems)
    return SentReferral(reader.payload, reader.paths)


def _read_entries(reader: _Reader, bundle: Any) -> None:
    if not isinstance(bundle, dict) or bundle.get("resourceType") != "Bundle":
        sent = bundle.get("resourceType") if isinstance(bundle, dict) else None
        what = f"a {sent[:40]}" if isinstance(sent, str) and sent else "something else"
        reader.problem(
            "Bundle",
            f"must be a Bundle (of type transaction or collection) holding the ServiceRequest and the resources it "
            f"refers to, not {what}",
            "structure",
        )
        return
    if bundle.get("type") not in BUNDLE_TYPES:
        reader.problem("Bundle.type", f"must be {' or '.join(BUNDLE_TYPES)}", "value")
    items = bundle.get("entry")
    if not isinstance(items, list) or not items:
        reader.problem("Bundle.entry", "must be an array of entries, one per resource", "required")
        return
    if len(items) > MAX_ENTRIES:
        reader.problem("Bundle.entry", f"has {len(items)} entries: a referral needs at most {MAX_ENTRIES}", "too-long")
        return
    for index, item in enumerate(items):
        path = f"Bundle.entry[{index}]"
        resource = item.get("resource") if isinstance(item, dict) else None
        if not isinstance(resource, dict):
            reader.problem(f"{path}.resource", "is required: each entry holds one resource", "required")
            continue
        kind = resource.get("resourceType")
        if kind not in READ_TYPES:
            reader.problem(
                f"{path}.resource.resourceType",
                f"{repr(kind)[:40]} is not read by this intake (it reads {', '.join(READ_TYPES)}): take it out, or "
                "put what it says in the ServiceRequest's note",
                "not-supported",
            )
            continue
        full_url = item.get("fullUrl") if isinstance(item.get("fullUrl"), str) else ""
        entry = Entry(index, resource, full_url)
        keys = [full_url] if full_url else []
        if isinstance(resource.get("id"), str) and resource["id"]:
            keys.append(f"{kind}/{resource['id']}")
        for key in keys:
            if key in reader.by_reference:
                reader.problem(f"{path}.fullUrl", f"{key[:100]!r} names two entries")
            reader.by_reference[key] = entry
        reader.entries.append(entry)
    counts = {kind: sum(entry.type == kind for entry in reader.entries) for kind in READ_TYPES}
    for kind in ONE_EACH:
        if counts[kind] != 1:
            reader.problem("Bundle.entry", f"must hold exactly one {kind} (it holds {counts[kind]})", "required")
    if counts["Consent"] > 1:
        reader.problem("Bundle.entry", f"may hold one Consent (it holds {counts['Consent']})")


def _refuse_what_is_not_read(reader: _Reader, entry: Entry) -> None:
    """Modifier extensions change a resource's meaning (FHIR forbids ignoring them); contained resources could
    hold a person this intake would never see."""
    if entry.resource.get("modifierExtension"):
        reader.problem(
            f"{entry.path}.modifierExtension", "is not understood here, so the resource cannot be read", "not-supported"
        )
    if entry.resource.get("contained"):
        reader.problem(f"{entry.path}.contained", "is not read: send each resource as its own entry", "not-supported")


# --- Each resource ----------------------------------------------------------------------------------------------------


def _read_service_request(reader: _Reader, entry: Entry, patient: Entry, related_person: Entry) -> None:
    resource, path = entry.resource, entry.path
    reader.check_own_extensions(resource, path, ("education", "previous-ot-episode", "school"))
    status = reader.text(resource, "status", path)
    if status != "active":
        reader.problem(f"{path}.status", "must be active: this is a referral being sent", "value")
    if reader.text(resource, "intent", path) != "order":
        reader.problem(f"{path}.intent", "must be order", "value")

    subject = reader.obj(resource, "subject", path)
    if subject is None:
        reader.problem(f"{path}.subject", "is required: a reference to the Patient entry", "required")
    elif (target := reader.resolve(subject, f"{path}.subject", ("Patient",))) is not None and target is not patient:
        reader.problem(f"{path}.subject", "must refer to the Patient entry in this Bundle")

    _read_requester(reader, entry, related_person)
    _read_difficulties_and_description(reader, entry)

    education = reader.own_extension(resource, path, "education")
    if education is None:
        reader.problem(
            f"{path}.extension",
            f"needs the education extension ({reader.ctx.extension('education')}) with a valueCoding from "
            f"{reader.ctx.system('education')}",
            "required",
        )
    else:
        extension, where = education
        coding = reader.obj(extension, "valueCoding", where)
        if coding is None:
            reader.problem(f"{where}.valueCoding", "is required", "required")
        elif reader.text(coding, "system", f"{where}.valueCoding") != reader.ctx.system("education"):
            reader.problem(f"{where}.valueCoding.system", f"must be {reader.ctx.system('education')}")
        else:
            reader.put("education", reader.text(coding, "code", f"{where}.valueCoding"), f"{where}.valueCoding.code")

    previous = reader.own_extension(resource, path, "previous-ot-episode")
    if previous is not None:
        extension, where = previous
        value = reader.boolean(extension, "valueBoolean", where)
        if value is None and "valueBoolean" not in extension:
            reader.problem(f"{where}.valueBoolean", "is required", "required")
        reader.put("previous_ot_episode", bool(value), f"{where}.valueBoolean")

    school = reader.own_extension(resource, path, "school")
    if school is not None:
        extension, where = school
        reference = reader.obj(extension, "valueReference", where)
        if reference is None:
            reader.problem(f"{where}.valueReference", "is required: the school, as an Organization", "required")
            return
        target = reader.resolve(reference, f"{where}.valueReference", ("Organization",))
        if target is None:
            return
        urn = reader.identifier_value(target, reader.ctx.identifier_system("school-urn"))
        if urn is None:
            reader.problem(
                f"{where}.valueReference",
                f"the school needs its URN as an identifier of system {reader.ctx.identifier_system('school-urn')}",
            )
        else:
            reader.put("school_urn", urn[0], urn[1] or f"{where}.valueReference.identifier.value")


def _read_requester(reader: _Reader, service_request: Entry, related_person: Entry) -> None:
    resource, path = service_request.resource, service_request.path
    reference = reader.obj(resource, "requester", path)
    if reference is None:
        reader.problem(f"{path}.requester", "is required: who is referring", "required")
        return
    where = f"{path}.requester"
    target = reader.resolve(reference, where, ("PractitionerRole", "Practitioner", "RelatedPerson"))
    if target is None:
        return
    if isinstance(target, Logical):
        reader.problem(where, "must refer to a PractitionerRole, Practitioner or RelatedPerson entry in this Bundle")
        return
    role: tuple[str, str] | None = None
    if target.type == "RelatedPerson":
        if target is not related_person:
            reader.problem(where, "a parent or carer referring must be the RelatedPerson entry")
        role = ("parent_carer", f"{where}.reference")
        name = reader.full_name(target.resource, target.path)
        reader.put("referrer.organisation", "", where)
        contact_from = [target]
    elif target.type == "PractitionerRole":
        role = _role_code(reader, target)
        practitioner_ref = reader.obj(target.resource, "practitioner", target.path)
        practitioner = (
            reader.resolve(practitioner_ref, f"{target.path}.practitioner", ("Practitioner",))
            if practitioner_ref is not None
            else None
        )
        if isinstance(practitioner, Entry):
            name = reader.full_name(practitioner.resource, practitioner.path)
        elif isinstance(practitioner, Logical) and practitioner.display:
            name = (practitioner.display, f"{target.path}.practitioner.display")
        else:
            if practitioner_ref is None:
                reader.problem(f"{target.path}.practitioner", "is required: the referrer's name", "required")
            elif isinstance(practitioner, Logical):
                reader.problem(f"{target.path}.practitioner", "needs a display (the name) or a Practitioner entry")
            name = ("", f"{target.path}.practitioner")
        organisation_ref = reader.obj(target.resource, "organization", target.path)
        organisation, organisation_path = "", f"{target.path}.organization"
        if organisation_ref is not None:
            org = reader.resolve(organisation_ref, organisation_path, ("Organization",))
            if isinstance(org, Entry):
                organisation = reader.text(org.resource, "name", org.path).strip()
                organisation_path = f"{org.path}.name"
            elif isinstance(org, Logical):
                organisation = org.display
        reader.put("referrer.organisation", organisation, organisation_path)
        contact_from = [target, *([practitioner] if isinstance(practitioner, Entry) else [])]
    else:  # a Practitioner with no role: the service cannot tell who they are, so `other` (declined, with why)
        name = reader.full_name(target.resource, target.path)
        reader.put("referrer.organisation", "", where)
        contact_from = [target]

    source = _source_of_service_request(reader, service_request)
    if role is not None and source is not None and role[0] != source[0]:
        reader.problem(source[1], f"says {source[0]!r} but the requester is {role[0]!r}: send one role")
    chosen = role or source or ("other", where)
    reader.put("referrer.role", chosen[0], chosen[1])
    reader.put("referrer.name", name[0], name[1])
    for field_name, system in (("phone", "phone"), ("email", "email")):
        found = next((t for e in contact_from if (t := reader.telecom(e.resource, e.path, system))), None)
        reader.put(f"referrer.{field_name}", found[0] if found else "", found[1] if found else f"{where}")


def _role_code(reader: _Reader, practitioner_role: Entry) -> tuple[str, str] | None:
    """The referrer's role in the service's referrer-role system, from PractitionerRole.code. Codes from other
    systems (SNOMED CT job roles, SDS job roles) are not mapped: none is claimed the service is not sure of."""
    system = reader.ctx.system("referrer-role")
    found = [
        code
        for concept, where in reader.objects(practitioner_role.resource, "code", practitioner_role.path)
        for code in reader.codes(concept, where, system)
    ]
    if len({code for code, _ in found}) > 1:
        reader.problem(found[1][1], f"is a second role in {system}: send one")
    return found[0] if found else None


def _source_of_service_request(reader: _Reader, service_request: Entry) -> tuple[str, str] | None:
    """UK Core's SourceOfServiceRequest, as this server writes it on a read, with a code in referrer-role."""
    system = reader.ctx.system("referrer-role")
    for extension, where, url in reader.extensions(service_request.resource, service_request.path):
        if url == SOURCE_OF_SERVICE_REQUEST:
            concept = reader.obj(extension, "valueCodeableConcept", where)
            found = reader.codes(concept, f"{where}.valueCodeableConcept", system) if concept else []
            if found:
                return found[0]
    return None


def _read_difficulties_and_description(reader: _Reader, entry: Entry) -> None:
    resource, path = entry.resource, entry.path
    system = reader.ctx.system("difficulty")
    difficulties: list[str] = []
    unmatched: list[str] = []
    for concept, where in reader.objects(resource, "reasonCode", path):
        codes = reader.codes(concept, where, system)
        for code, code_path in codes:
            reader.paths[f"difficulties.{len(difficulties)}"] = code_path
            difficulties.append(code)
        if codes:
            continue
        words = reader.words(concept, where)
        if not words:
            reader.problem(where, f"needs a code from {system}, or text", "required")
        elif (code := DIFFICULTY_WORDS.get(words.lower())) is not None:
            reader.paths[f"difficulties.{len(difficulties)}"] = where
            difficulties.append(code)
        else:
            unmatched.append(words)
    reader.put("difficulties", difficulties, f"{path}.reasonCode")
    texts = [reader.text(note, "text", where).strip() for note, where in reader.objects(resource, "note", path)]
    description = "\n\n".join(text for text in texts if text)
    if not description:
        reader.problem(f"{path}.note", "is required: the referrer's description of the difficulties", "required")
    if unmatched:
        # Kept in the referrer's words where staff read them; the screening sees no code for them.
        description += "\n\nReasons for referral as sent: " + "; ".join(unmatched)
    reader.put("description", description, f"{path}.note")


def _read_patient(reader: _Reader, entry: Entry) -> None:
    resource, path = entry.resource, entry.path
    numbers = [
        (reader.text(identifier, "value", where), f"{where}.value")
        for identifier, where in reader.objects(resource, "identifier", path)
        if reader.text(identifier, "system", where) == NHS_NUMBER_SYSTEM
    ]
    if len({number.replace(" ", "") for number, _ in numbers}) > 1:
        reader.problem(numbers[1][1], "is a second, different NHS number")
    if numbers:
        reader.put("child.nhs_number", numbers[0][0], numbers[0][1])

    picked = reader.human_name(resource, path)
    if picked is not None:
        name, where = picked
        given = reader.strings(name, "given", where)
        reader.put("child.given_name", " ".join(part.strip() for part in given if part.strip()), f"{where}.given")
        reader.put("child.family_name", reader.text(name, "family", where), f"{where}.family")
    if "birthDate" not in resource:
        reader.problem(f"{path}.birthDate", "is required", "required")
    else:
        reader.put("child.date_of_birth", resource["birthDate"], f"{path}.birthDate")

    addresses = reader.objects(resource, "address", path)
    home = [(address, where) for address, where in addresses if address.get("use") == "home"]
    if not addresses:
        reader.problem(f"{path}.address", "is required: the child's home address with its postcode", "required")
    else:
        address, where = (home or addresses)[0]
        lines = [*reader.strings(address, "line", where)]
        lines += [reader.text(address, key, where) for key in ("city", "district")]
        text = "\n".join(line.strip() for line in lines if line.strip()) or reader.text(address, "text", where)
        reader.put("child.address", text.strip(), where)
        reader.put("child.postcode", reader.text(address, "postalCode", where), f"{where}.postalCode")

    practices = []
    for reference, where in reader.objects(resource, "generalPractitioner", path):
        target = reader.resolve(reference, where, ("Organization", "Practitioner", "PractitionerRole"))
        if target is not None and (code := reader.identifier_value(target, ODS_SYSTEM)) is not None:
            practices.append((code[0], code[1] or f"{where}.identifier.value"))
    if not practices:
        reader.problem(
            f"{path}.generalPractitioner",
            f"is required: the child's GP practice, with its ODS code as an identifier of system {ODS_SYSTEM}",
            "required",
        )
    elif len({code.strip().upper() for code, _ in practices}) > 1:
        reader.problem(practices[1][1], "is a second GP practice: send the child's one practice")
    else:
        reader.put("gp_practice_code", practices[0][0], practices[0][1])


def _read_related_person(reader: _Reader, entry: Entry, patient: Entry) -> None:
    resource, path = entry.resource, entry.path
    reader.check_own_extensions(resource, path, ("interpreter-needed",))
    reference = reader.obj(resource, "patient", path)
    if reference is None:
        reader.problem(f"{path}.patient", "is required: a reference to the Patient entry", "required")
    elif (target := reader.resolve(reference, f"{path}.patient", ("Patient",))) is not None and target is not patient:
        reader.problem(f"{path}.patient", "must refer to the Patient entry in this Bundle")

    name, name_path = reader.full_name(resource, path)
    reader.put("parent_carer.name", name, name_path)

    relationships = reader.objects(resource, "relationship", path)
    relationship, relationship_path = "", f"{path}.relationship"
    for concept, where in relationships:
        relationship_path = where
        relationship = reader.words(concept, where) or next(
            (RELATIONSHIPS[code] for code, _ in reader.codes(concept, where, V3_ROLE_CODE) if code in RELATIONSHIPS),
            "",
        )
        if relationship:
            break
    if not relationship:
        reader.problem(
            relationship_path, "is required: who they are to the child, as text (Mother, Foster carer ...)", "required"
        )
    reader.put("parent_carer.relationship", relationship, relationship_path)

    for field_name, system in (("phone", "phone"), ("email", "email")):
        found = reader.telecom(resource, path, system)
        reader.put(f"parent_carer.{field_name}", found[0] if found else "", found[1] if found else f"{path}.telecom")

    communications = reader.objects(resource, "communication", path)
    preferred = [(c, where) for c, where in communications if c.get("preferred") is True]
    language, language_path = "", f"{path}.communication"
    if communications:
        communication, where = (preferred or communications)[0]
        concept = reader.obj(communication, "language", where)
        if concept is None:
            reader.problem(f"{where}.language", "is required", "required")
        else:
            language = reader.words(concept, f"{where}.language") or next(
                (code for code, _ in reader.codes(concept, f"{where}.language", "urn:ietf:bcp:47")), ""
            )
            language_path = f"{where}.language"
    reader.put("parent_carer.language", language, language_path)

    interpreter = reader.own_extension(resource, path, "interpreter-needed")
    needed, needed_path = False, f"{path}.extension"
    if interpreter is not None:
        extension, where = interpreter
        value = reader.boolean(extension, "valueBoolean", where)
        if value is None and "valueBoolean" not in extension:
            reader.problem(f"{where}.valueBoolean", "is required", "required")
        needed, needed_path = bool(value), f"{where}.valueBoolean"
    reader.put("parent_carer.interpreter_needed", needed, needed_path)


def _read_consent(reader: _Reader, entry: Entry | None, patient: Entry) -> None:
    """Consent to the referral: a Consent resource, active and permitting (or with no provision), is consent given;
    rejected, or a provision of type deny, is consent refused. No Consent at all is no consent: the referral is
    still kept, and declined with the reason (as the JSON intake's consent_given false)."""
    if entry is None:
        reader.put("consent_given", False, "Bundle.entry")
        return
    resource, path = entry.resource, entry.path
    reference = reader.obj(resource, "patient", path)
    if reference is not None:
        target = reader.resolve(reference, f"{path}.patient", ("Patient",))
        if target is not None and target is not patient:
            reader.problem(f"{path}.patient", "must refer to the Patient entry in this Bundle")
    for performer, where in reader.objects(resource, "performer", path):
        reader.resolve(performer, where, ("RelatedPerson", "Patient"))
    status = reader.text(resource, "status", path)
    provision = reader.obj(resource, "provision", path) or {}
    kind = reader.text(provision, "type", f"{path}.provision") if provision else ""
    if status not in ("active", "rejected"):
        reader.problem(
            f"{path}.status", "must be active (consent given) or rejected (consent refused) when the referral is sent"
        )
        return
    if kind not in ("", "permit", "deny"):
        reader.problem(f"{path}.provision.type", "must be permit or deny")
        return
    given = status == "active" and kind != "deny"
    reader.put("consent_given", given, f"{path}.provision.type" if kind else f"{path}.status")
