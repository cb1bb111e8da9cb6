"""The language of a page ("ngôn ngữ"): Vietnamese by default, English on request.

The choice comes from ``?lang=vi|en`` (remembered in the ``lang`` cookie) or that cookie.
Labels of states and actions come from :mod:`workflow.nomination`; the few words that belong to
the pages themselves are in :data:`WORDS`.
"""

from __future__ import annotations

import unicodedata

from fastapi import Request

LANGS = ("vi", "en")
COOKIE = "lang"

# Words of the page chrome, (Vietnamese, English). Domain labels live with the domain.
WORDS: dict[str, tuple[str, str]] = {
    "app": ("Hệ thống xét khen thưởng TP Hà Nội", "Hà Nội commendation workflow"),
    "home": ("Trang chính", "Home"),
    "login": ("Đăng nhập", "Sign in"),
    "logout": ("Đăng xuất", "Sign out"),
    "username": ("Tên đăng nhập", "Username"),
    "password": ("Mật khẩu", "Password"),
    "bad_credentials": ("Sai tên đăng nhập hoặc mật khẩu.", "Wrong username or password."),
    "form_expired": ("Biểu mẫu đăng nhập đã hết hạn; hãy nhập lại rồi đăng nhập.", "The sign-in form expired; enter your details again."),
    "nominations": ("Hồ sơ đề nghị", "Nominations"),
    "new_nomination": ("Lập hồ sơ mới", "New nomination"),
    "inbox": ("Việc đang chờ bạn", "Waiting for you"),
    "inbox_empty": ("Không có việc nào đang chờ bạn.", "Nothing is waiting for you."),
    "nominee": ("Người/tập thể được đề nghị", "Nominee"),
    "award": ("Hình thức khen thưởng", "Award"),
    "state": ("Trạng thái", "State"),
    "deadline": ("Hạn xử lý", "Deadline"),
    "days_left": ("Ngày làm việc còn lại", "Working days left"),
    "overdue": ("quá hạn", "overdue"),
    "unit": ("Đơn vị đề nghị", "Proposing unit"),
    "year": ("Năm thành tích", "Year of achievements"),
    "campaign": ("Đợt thi đua", "Campaign"),
    "achievements": ("Tóm tắt thành tích", "Achievements"),
    "actions": ("Thao tác được phép", "Allowed actions"),
    "no_actions": ("Bạn không có thao tác nào với hồ sơ này lúc này.", "You have no action on this nomination now."),
    "reason": ("Lý do", "Reason"),
    "note": ("Ghi chú", "Note"),
    "outcome": ("Kết quả", "Outcome"),
    "passed_yes": ("Đạt / tán thành", "Passed / favourable"),
    "passed_no": ("Không đạt / không tán thành", "Not passed / unfavourable"),
    "document_number": ("Số văn bản", "Document number"),
    "signed_on": ("Ngày ký", "Signed on"),
    "signer": ("Người ký", "Signer"),
    "bodies": ("Cơ quan xin ý kiến (cách nhau bởi dấu phẩy)", "Bodies consulted (comma-separated)"),
    "timeline": ("Quá trình xử lý", "Timeline"),
    "when": ("Thời điểm", "When"),
    "who": ("Người thực hiện", "Who"),
    "what": ("Thao tác", "What"),
    "why": ("Lý do / ghi chú", "Why / note"),
    "documents": ("Văn bản đã tạo", "Produced documents"),
    "attachments": ("Tài liệu kèm theo", "Attachments"),
    "attach": ("Đính kèm tài liệu", "Attach a document"),
    "file": ("Tệp (PDF, DOCX, XLSX, JPEG, PNG)", "File (PDF, DOCX, XLSX, JPEG, PNG)"),
    "document_kind": ("Loại tài liệu", "Document kind"),
    "eligibility": ("Kiểm tra điều kiện", "Eligibility check"),
    "eligible": ("Đủ điều kiện theo hồ sơ lịch sử.", "Meets the conditions on record."),
    "not_eligible": ("Chưa đủ điều kiện — cần bổ sung trước khi trình:", "Not yet eligible — complete before submitting:"),
    "edit": ("Sửa dự thảo", "Edit draft"),
    "save": ("Lưu", "Save"),
    "create": ("Tạo dự thảo", "Create draft"),
    "person": ("Cá nhân", "Person"),
    "collective": ("Tập thể (đơn vị)", "Collective (unit)"),
    "choose": ("— chọn —", "— choose —"),
    "return_reason": ("Lý do trả lại", "Reason for the return"),
    "done": ("Đã thực hiện", "Done"),
    "error": ("Không thực hiện được", "Could not be done"),
    "not_found": ("Không tìm thấy trang.", "Page not found."),
    "filter": ("Lọc", "Filter"),
    "all": ("Tất cả", "All"),
    "bulk": ("Thao tác hàng loạt với các hồ sơ đã chọn", "Bulk action on the selected nominations"),
    "select": ("Chọn", "Select"),
    "public": ("Quyết định khen thưởng đã công bố", "Published award decisions"),
    "search": ("Tìm kiếm (tên, số quyết định)", "Search (name, decision number)"),
    "no_results": ("Không có kết quả.", "No results."),
    "decision": ("Quyết định", "Decision"),
    "awardees": ("Danh sách được khen thưởng", "Awardees"),
    "diagram": ("Sơ đồ trạng thái", "State diagram"),
    "diagrams": ("Sơ đồ quy trình", "Process diagrams"),
    "current_state": ("Trạng thái hiện tại được tô đậm", "The current state is highlighted"),
    "admin": ("Quản trị", "Administration"),
    "admin_only": ("Chỉ quản trị hệ thống được xem trang này.", "Only administrators may open this page."),
    "role_only": ("Vai trò của bạn không dùng trang này.", "Your role does not use this page."),
    "open_prefect": ("Mở giao diện Prefect", "Open the Prefect UI"),
    "flow": ("Tác vụ", "Flow run"),
    "started": ("Bắt đầu", "Started"),
    "no_runs": ("Chưa có lần chạy nào.", "No runs yet."),
    "members": ("Thành viên", "Members"),
    "head": ("Cụm trưởng", "Head"),
    "deputy": ("Cụm phó", "Deputy"),
    "citation": ("Căn cứ", "Legal basis"),
    "effective": ("Hiệu lực", "In force"),
    "users": ("Người dùng", "Users"),
    "role": ("Vai trò", "Role"),
    "units": ("Đơn vị", "Units"),
    "clusters": ("Cụm thi đua", "Emulation clusters"),
    "catalogue": ("Bộ quy định đang áp dụng", "Rule set in force"),
    "audit": ("Kiểm tra nhật ký", "Audit verification"),
    "audit_ok": ("Toàn bộ chuỗi nhật ký nguyên vẹn.", "Every audit chain is intact."),
    "audit_broken": ("Phát hiện chuỗi nhật ký bị sửa:", "Broken audit chains found:"),
    "flows": ("Tác vụ tự động (Prefect)", "Scheduled flows (Prefect)"),
    "prefect_down": ("Không kết nối được máy chủ Prefect", "The Prefect server cannot be reached"),
    "council": ("Hội đồng TĐKT", "Council"),
    "sessions": ("Phiên họp Hội đồng", "Council sessions"),
    "agenda": ("Chương trình phiên họp", "Agenda"),
    "add_to_agenda": ("Đưa vào chương trình phiên họp", "Put on the agenda"),
    "cast_ballot": ("Bỏ phiếu", "Cast the ballot"),
    "voted": ("Bạn đã bỏ phiếu.", "You have voted."),
    "cluster_year": ("Năm thi đua của Cụm", "Cluster year"),
    "ranking": ("Bảng xếp hạng điểm", "Score ranking"),
    "score": ("Điểm", "Score"),
    "self_score": ("Tự chấm điểm", "Self-score"),
    "ballot": ("Phiếu suy tôn", "Cluster ballot"),
    "open_ballot": ("Mở phiếu suy tôn", "Open the ballot"),
    "close_ballot": ("Đóng phiếu và kiểm phiếu", "Close and count the ballot"),
    "results": ("Kết quả", "Results"),
    "in_favour": ("Đồng ý", "In favour"),
    "against": ("Không đồng ý", "Against"),
    "abstain": ("Không biểu quyết", "Abstain"),
    "language": ("English", "Tiếng Việt"),
    "skip": ("Bỏ qua, đến nội dung chính", "Skip to main content"),
    "signed_in_as": ("Đang đăng nhập", "Signed in as"),
    "active": ("Hoạt động", "Active"),
    "bonus": ("Điểm thưởng", "Bonus points"),
    "gates": ("Điều kiện suy tôn", "Honouring conditions"),
    "scheduled_on": ("Ngày họp", "Meeting date"),
    "universal_hidden": ("Không vẽ các mũi tên «Rút hồ sơ» và «Đánh dấu quá hạn» (có ở hầu hết các trạng thái chưa kết thúc).",
                         "The 'Withdraw' and 'Expire' arrows (possible from most open states) are not drawn."),
    "show_all": ("Vẽ đầy đủ", "Draw them all"),
    "hide_universal": ("Ẩn mũi tên rút hồ sơ, quá hạn", "Hide the withdraw and expire arrows"),
    "present": ("Có mặt", "Present"),
    "papers": ("Phiếu đã nhận", "Papers received"),
    "other_tasks": ("Việc khác của Cụm và Hội đồng", "Cluster and council tasks"),
    "task_self_score": ("Tự chấm điểm cho đơn vị", "Self-score your unit"),
    "task_vote_cluster": ("Bỏ phiếu suy tôn của Cụm", "Vote in the cluster ballot"),
    "task_head_step": ("Bước tiếp theo của Cụm", "The cluster's next step"),
    "task_vote_council": ("Bỏ phiếu tại phiên họp Hội đồng", "Vote in the council session"),
    "task_run_session": ("Điều hành phiên họp Hội đồng", "Run the council session"),
    "penalty": ("Điểm trừ", "Penalty points"),
}


def lang_of(request: Request) -> str:
    asked = request.query_params.get("lang") or request.cookies.get(COOKIE)
    return asked if asked in LANGS else "vi"


def pick(pair: tuple[str, str], lang: str) -> str:
    """One side of a (Vietnamese, English) pair, Vietnamese text normalised to NFC."""
    return unicodedata.normalize("NFC", pair[0] if lang == "vi" else pair[1])


def word(key: str, lang: str) -> str:
    return pick(WORDS[key], lang)
