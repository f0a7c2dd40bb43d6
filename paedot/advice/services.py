"""Advice and strategies: loading the strategy sheet library, revising a sheet, and giving a personalised advice pack.

Every change of state is here, each in one transaction with its audit event.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from paedot.advice import presenters
from paedot.advice.models import AdvicePack, PackSheet, StrategySheet, StrategySheetVersion
from paedot.advice.rules import AdviceError, ChosenSheet, sort_sheets
from paedot.advice.sheet_text import check_sheet, clean_sections, parse_body, read_sheet_files
from paedot.care.services.consent import require_consent
from paedot.care.services.episodes import open_episode, require_open
from paedot.core.audit import record_event
from paedot.letters.models import Kind as LetterKind
from paedot.letters.models import Letter
from paedot.letters.services import family_recipient, issue_letter
from paedot.referrals.models import Referral
from paedot.referrals.services.journey import TransitionRefused, require
from paedot.staff.rules import Action

MAX_NOTES = 5000
LOADED_FROM_FILE = "Loaded from the sheet's file."


# The library ------------------------------------------------------------------------------------------------------


def load_strategy_sheets(*, directory: Path | None = None) -> list[str]:
    """Bring the library up to date with the sheet files; returns the slugs added or updated. Safe to run again.

    A sheet missing from the database is added. A file whose `version` is higher than the one last loaded becomes a
    new version of its sheet (the text a team lead edited stays in the sheet's history). Otherwise the database
    wins: edits made in the page are never overwritten by an unchanged file.
    """
    texts = read_sheet_files(directory)
    changed = []
    with transaction.atomic():
        existing = {sheet.slug: sheet for sheet in StrategySheet.objects.select_for_update()}
        for text in texts:
            fields = {
                "title": text.title,
                "area": text.area,
                "audience": text.audience,
                "summary": text.summary,
                "body": list(text.sections),
            }
            sheet = existing.get(text.slug)
            if sheet is None:
                sheet = StrategySheet.objects.create(slug=text.slug, version=1, file_version=text.version, **fields)
            elif text.version > sheet.file_version:
                for name, value in fields.items():
                    setattr(sheet, name, value)
                sheet.version += 1
                sheet.file_version = text.version
                sheet.save()
            else:
                continue
            StrategySheetVersion.objects.create(
                sheet=sheet, version=sheet.version, change_note=LOADED_FROM_FILE, **fields
            )
            record_event(
                action="advice.sheet_loaded",
                actor_label="system",
                target=sheet,
                detail={"slug": sheet.slug, "version": sheet.version, "file_version": text.version},
            )
            changed.append(text.slug)
    return changed


def revise_strategy_sheet(
    *,
    sheet: StrategySheet,
    title: str,
    summary: str,
    area: str,
    audience: str,
    body: str | list,
    change_note: str,
    revised_by,
    based_on_version: int | None = None,
) -> StrategySheet:
    """A team lead's edit: a new version of the sheet. Earlier versions stay as they were, so packs given before
    still show what was given. `body` is the page's text (## headings, - steps) or sections already structured."""
    require(revised_by, Action.MANAGE_STRATEGY_SHEETS)
    sections = parse_body(body) if isinstance(body, str) else clean_sections(body)
    checked = check_sheet(
        {
            "slug": sheet.slug,
            "title": title,
            "summary": summary,
            "area": area,
            "audience": audience,
            "version": sheet.version + 1,
            "sections": sections,
        }
    )
    change_note = " ".join((change_note or "").split())
    if not change_note:
        raise AdviceError("change_note", "Say what changed and why.")
    if len(change_note) > 300:
        raise AdviceError("change_note", "Keep the note of what changed under 300 characters.")
    fields = {
        "title": checked.title,
        "area": checked.area,
        "audience": checked.audience,
        "summary": checked.summary,
        "body": list(checked.sections),
    }
    with transaction.atomic():
        sheet = StrategySheet.objects.select_for_update().get(pk=sheet.pk)
        if based_on_version is not None and based_on_version != sheet.version:
            raise TransitionRefused(
                f"Someone saved version {sheet.version} of this sheet while you were editing version "
                f"{based_on_version}. Open it again to see their changes."
            )
        if all(getattr(sheet, name) == value for name, value in fields.items()):
            raise AdviceError("body", "Nothing has changed, so no new version was made.")
        sheet.version += 1
        for name, value in fields.items():
            setattr(sheet, name, value)
        sheet.save()
        StrategySheetVersion.objects.create(
            sheet=sheet, version=sheet.version, change_note=change_note, created_by=revised_by, **fields
        )
        record_event(
            action="advice.sheet_revised",
            actor=revised_by,
            target=sheet,
            detail={"slug": sheet.slug, "version": sheet.version, "change_note": change_note},
        )
    return sheet


# Advice packs ----------------------------------------------------------------------------------------------------


def school_recipient(referral: Referral) -> dict[str, str]:
    """The child's school or nursery as the letter addresses it; AdviceError when none is recorded."""
    from paedot.directory.models import School

    school = School.objects.filter(urn=referral.school_urn).first() if referral.school_urn else None
    name = referral.school_name or (school.name if school else "")
    if not name:
        raise AdviceError(
            "for_school",
            "No school or nursery is recorded on the referral, so the pack cannot be addressed to one.",
        )
    address = ", ".join(part for part in (school.town, school.postcode) if part) if school else ""
    return {"role": "school", "name": name, "address": address}


def _check_date(referral: Referral, given_on: dt.date | None) -> dt.date:
    today = timezone.localdate()
    given_on = given_on or today
    if given_on > today:
        raise AdviceError("given_on", "The date the pack was given must be today or in the past.")
    if given_on < referral.received_date:
        raise AdviceError(
            "given_on",
            f"The pack cannot be given before the referral was received ({referral.received_date:%-d %B %Y}).",
        )
    return given_on


def _chosen_sheets(slugs: list[str]) -> list[StrategySheet]:
    """The sheets named, in the order chosen (a sheet named twice counts once); AdviceError names an unknown one."""
    if not isinstance(slugs, list | tuple):
        raise AdviceError("sheets", "Give the strategy sheets as a list of their slugs.")
    wanted = [str(slug).strip() for slug in slugs]
    found = {sheet.slug: sheet for sheet in StrategySheet.objects.filter(slug__in=wanted)}
    for index, slug in enumerate(wanted):
        if slug not in found:
            raise AdviceError(f"sheets.{index}", f"There is no strategy sheet called '{slug}'.")
    return [found[slug] for slug in dict.fromkeys(wanted)]


def _pack_letter(
    *, referral: Referral, recipient: str, sheets: list[StrategySheetVersion], notes: str, given_by, given_on
) -> Letter:
    child = referral.child
    home = recipient == "home"
    return issue_letter(
        referral=referral,
        kind=LetterKind.ADVICE_PACK_HOME if home else LetterKind.ADVICE_PACK_SCHOOL,
        template="advice/pack_home.jinja" if home else "advice/pack_school.jinja",
        subject=f"Advice for {child.given_name}",
        recipients=[family_recipient(referral) if home else school_recipient(referral)],
        context={
            "first_name": child.given_name,
            "sheets": [presenters.sheet_view(version) for version in sheets],
            "notes": presenters.paragraphs(notes),
            "therapist": given_by.display_name,
            "therapist_role": presenters.role_name(given_by),
            "given_on": given_on,
        },
        issued_by=given_by,
    )


def give_advice_pack(
    *,
    referral: Referral,
    sheets: list[str],
    home_notes: str = "",
    school_notes: str = "",
    for_home: bool,
    for_school: bool,
    given_by,
    given_on: dt.date | None = None,
) -> AdvicePack:
    """Give a personalised advice pack: a letter for home and/or one for school, each with the therapist's notes
    first and then the sheets written for its readers, kept exactly as sent; the pack records what was given.

    Refused before anything is saved: a role that may not (NotAllowed), bad input (AdviceError, naming the field),
    a referral that is not open for clinical work (TransitionRefused), and a recipient the family has not agreed to
    share with (ConsentMissing).
    """
    require(given_by, Action.GIVE_ADVICE)
    given_on = _check_date(referral, given_on)
    chosen = _chosen_sheets(sheets)
    sorting = sort_sheets(
        [ChosenSheet(s.slug, s.title, s.audience) for s in chosen], for_home=bool(for_home), for_school=bool(for_school)
    )
    if sorting.refusal is not None:
        raise AdviceError(sorting.refusal.field, sorting.refusal.message)
    home_notes, school_notes = (home_notes or "").strip(), (school_notes or "").strip()
    for field, notes in (("home_notes", home_notes), ("school_notes", school_notes)):
        if len(notes) > MAX_NOTES:
            raise AdviceError(field, f"Keep the notes under {MAX_NOTES} characters.")
    if for_school:
        school_recipient(referral)
    with transaction.atomic():
        # Inside the transaction, so a refusal below also undoes an episode opened only for this pack.
        episode = open_episode(referral=referral, opened_by=given_by)
        require_open(episode)
        require_consent(episode, [*(["family"] if for_home else []), *(["school"] if for_school else [])])
        # The versions current now are the ones given (re-read inside the transaction, in case of an edit).
        current = Q()
        for sheet in StrategySheet.objects.filter(pk__in=[s.pk for s in chosen]):
            current |= Q(sheet_id=sheet.pk, version=sheet.version)
        by_slug = {v.sheet.slug: v for v in StrategySheetVersion.objects.filter(current).select_related("sheet")}
        versions = [by_slug[s.slug] for s in chosen]
        letters = {}
        for recipient, slugs, notes in (("home", sorting.home, home_notes), ("school", sorting.school, school_notes)):
            if slugs:
                letters[recipient] = _pack_letter(
                    referral=referral,
                    recipient=recipient,
                    sheets=[by_slug[slug] for slug in slugs],
                    notes=notes,
                    given_by=given_by,
                    given_on=given_on,
                )
        pack = AdvicePack.objects.create(
            referral=referral,
            episode=episode,
            given_on=given_on,
            given_by=given_by,
            for_home=bool(for_home),
            for_school=bool(for_school),
            home_notes=home_notes if for_home else "",
            school_notes=school_notes if for_school else "",
            home_letter=letters.get("home"),
            school_letter=letters.get("school"),
        )
        PackSheet.objects.bulk_create(
            PackSheet(
                pack=pack,
                sheet_version=version,
                position=position,
                in_home=version.sheet.slug in sorting.home,
                in_school=version.sheet.slug in sorting.school,
            )
            for position, version in enumerate(versions, start=1)
        )
        record_event(
            action="advice.given",
            actor=given_by,
            target=pack,
            child_id=referral.child_id,
            detail={
                "pack": pack.pk,
                "given_on": given_on.isoformat(),
                "sheets": [{"slug": v.sheet.slug, "version": v.version} for v in versions],
                "home": bool(for_home),
                "school": bool(for_school),
                "letters": [letter.pk for letter in letters.values()],
                "left_out": [{"slug": item.slug, "recipient": item.recipient} for item in sorting.left_out],
            },
        )
    return pack
