"""Download a document the system produced (dossier, decision), scoped like its nomination."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path
from fastapi.responses import Response

from service.api.deps import ActorDep, SessionDep
from service.api.params import DB_INT_MAX
from service.api.routes.nominations import ERRORS, _quote
from service.cycle_reads import visible_document

router = APIRouter(prefix="/documents", tags=["nominations"])

DocumentId = Annotated[int, Path(ge=1, le=DB_INT_MAX, description="id of the produced document (see a nomination's documents)")]


@router.get("/{document_id}", responses={200: {"content": {"application/octet-stream": {}}}, **ERRORS})
def download(document_id: DocumentId, session: SessionDep, actor: ActorDep) -> Response:
    """The file as produced; its ``ETag`` is the SHA-256 recorded in the audit trail. A document of
    a nomination you may not see is 404."""
    doc = visible_document(session, actor, document_id)
    return Response(doc.data, media_type=doc.content_type,
                    headers={"Content-Disposition": f"attachment; filename*=UTF-8''{_quote(doc.filename)}", "ETag": f'"{doc.sha256}"'})
