"""Scanned referral forms: check what a file really is, then keep it with the referral.

The type is read from the file's first bytes (and, for Word, its ZIP directory), never from its name or the
browser's content type, both of which the sender controls. We check the five signatures ourselves rather than use a
detection library: the list is short, each check is one line a reviewer can read, and .docx needs a look inside the
ZIP directory that a first-bytes sniffer guesses at. Nothing is ever decompressed, so a ZIP bomb costs nothing.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import IO

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import transaction

from paedot.core.audit import record_event
from paedot.referrals.models import Referral, ReferralAttachment, attachment_path
from paedot.referrals.services.journey import require
from paedot.staff.rules import Action

WRONG_TYPE = "The file must be a PDF, Word document, JPEG or PNG"
EMPTY = "The selected file is empty"
NAME_MAX_LENGTH = 200
# A real .docx has a handful of parts; a directory with many thousands of entries is not a scanned form.
MAX_ZIP_ENTRIES = 10_000


@dataclass(frozen=True)
class FileType:
    content_type: str
    extension: str
    label: str


PDF = FileType("application/pdf", ".pdf", "PDF")
DOCX = FileType("application/vnd.openxmlformats-officedocument.wordprocessingml.document", ".docx", "Word document")
DOC = FileType("application/msword", ".doc", "Word document")
JPEG = FileType("image/jpeg", ".jpg", "JPEG image")
PNG = FileType("image/png", ".png", "PNG image")

OLE2_SIGNATURE = bytes.fromhex("D0CF11E0A1B11AE1")
PNG_SIGNATURE = bytes.fromhex("89504E470D0A1A0A")
JPEG_SIGNATURE = bytes.fromhex("FFD8FF")
ZIP_SIGNATURE = b"PK\x03\x04"


def too_big_message() -> str:
    return f"The file must be smaller than {_megabytes(settings.REFERRAL_ATTACHMENT_MAX_BYTES)}"


def _megabytes(size: int) -> str:
    megabytes = size / (1024 * 1024)
    return f"{megabytes:g} MB" if megabytes >= 1 else f"{size // 1024} KB"


def detect_type(file: IO[bytes]) -> FileType | None:
    """What the file is, from its content; None when it is none of the types we accept. Leaves the file at 0."""
    file.seek(0)
    head = file.read(8)
    file.seek(0)
    try:
        if head.startswith(b"%PDF-"):
            return PDF
        if head.startswith(PNG_SIGNATURE):
            return PNG
        if head.startswith(JPEG_SIGNATURE):
            return JPEG
        if head.startswith(OLE2_SIGNATURE):
            return DOC
        if head.startswith(ZIP_SIGNATURE) and _is_docx(file):
            return DOCX
        return None
    finally:
        file.seek(0)


def _is_docx(file: IO[bytes]) -> bool:
    """A Word document is a ZIP whose directory lists word/document.xml. Only the central directory is read."""
    try:
        with zipfile.ZipFile(file) as archive:
            entries = archive.infolist()
            if len(entries) > MAX_ZIP_ENTRIES:
                return False
            names = {entry.filename for entry in entries}
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        return False
    return "word/document.xml" in names and "[Content_Types].xml" in names


def sanitise_name(name: str, *, fallback: str = "scanned-form") -> str:
    """The sender's file name, safe to show and to offer back as a download name: no path, no control characters."""
    name = unicodedata.normalize("NFKC", name or "")
    name = PurePosixPath(name.replace("\\", "/")).name
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = re.sub(r"[^\w .()+,-]", "_", name)
    name = re.sub(r"\s+", " ", name).strip(" .")
    if not name:
        return fallback
    if len(name) > NAME_MAX_LENGTH:
        stem, dot, extension = name.rpartition(".")
        extension = extension[:10] if dot and stem else ""
        keep = NAME_MAX_LENGTH - (len(extension) + 1 if extension else 0)
        name = (stem if extension else name)[:keep].rstrip(" .") + (f".{extension}" if extension else "")
    return name


def download_name(attachment: ReferralAttachment) -> str:
    """The name a download gets: the sender's name with the extension of what the file really is."""
    stem = PurePosixPath(attachment.original_name).stem or "scanned-form"
    return f"{stem}{attachment.extension}"


def check_upload(uploaded_file) -> FileType:
    """The file's type, or ValueError with a sentence for the person who chose it."""
    size = uploaded_file.size
    if size is None:
        raise ValueError(WRONG_TYPE)
    if size == 0:
        raise ValueError(EMPTY)
    if size > settings.REFERRAL_ATTACHMENT_MAX_BYTES:
        raise ValueError(too_big_message())
    detected = detect_type(uploaded_file)
    if detected is None:
        raise ValueError(WRONG_TYPE)
    return detected


def _sha256(uploaded_file) -> str:
    digest = hashlib.sha256()
    uploaded_file.seek(0)
    for chunk in uploaded_file.chunks():
        digest.update(chunk)
    uploaded_file.seek(0)
    return digest.hexdigest()


def add_attachment(*, referral: Referral, uploaded_file, uploaded_by) -> ReferralAttachment:
    """Keep a scanned form with its referral, after checking what the file really is and its size.

    Files are stored under a name made from their SHA-256, so the path says nothing about the child and the same
    scan attached twice is stored once.
    """
    require(uploaded_by, Action.ENTER_PAPER_REFERRAL)
    detected = check_upload(uploaded_file)
    fallback = f"scanned-form{detected.extension}"
    attachment = ReferralAttachment(
        referral=referral,
        original_name=sanitise_name(getattr(uploaded_file, "name", "") or "", fallback=fallback),
        content_type=detected.content_type,
        extension=detected.extension,
        size=uploaded_file.size,
        sha256=_sha256(uploaded_file),
        uploaded_by=uploaded_by,
    )
    stored_name = attachment_path(attachment, "")
    with transaction.atomic():
        if default_storage.exists(stored_name):
            attachment.file.name = stored_name
        else:
            attachment.file.save(stored_name, uploaded_file, save=False)
        attachment.save()
        record_event(
            action="referral.attachment_added",
            actor=uploaded_by,
            target=referral,
            detail={
                "reference": referral.reference,
                "attachment": attachment.pk,
                "content_type": attachment.content_type,
                "size": attachment.size,
                "sha256": attachment.sha256,
            },
        )
    return attachment
