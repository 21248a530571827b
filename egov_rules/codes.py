"""Registry of stable diagnostic codes.

A code never changes meaning once released; `docs/diagnostics.md` lists every code and a test
keeps the two in step. Each code carries its message template in English and Vietnamese so
the same diagnostic can be shown in either language (placeholders are `{name}`-style).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True, slots=True)
class Code:
    code: str
    name: str
    severity: Severity
    en: str
    vi: str


_ALL: list[Code] = []


def _code(code: str, name: str, severity: Severity, en: str, vi: str) -> Code:
    entry = Code(code, name, severity, en, vi)
    _ALL.append(entry)
    return entry


# -- E0xx: reading and parsing -------------------------------------------------------------
SYNTAX = _code("E001", "syntax", "error", "{detail}", "{detail_vi}")
UNEXPECTED_EOF = _code(
    "E002", "unexpected-end", "error",
    "the file ends in the middle of {what}", "tệp kết thúc giữa chừng {what_vi}",
)
BAD_INDENT = _code(
    "E003", "bad-indentation", "error",
    "this line's indentation matches no enclosing block",
    "thụt lề của dòng này không khớp với khối nào bao ngoài",
)
TAB_INDENT = _code(
    "E004", "tab-indentation", "error",
    "tab character used for indentation", "dùng ký tự tab để thụt lề",
)
BAD_CHARACTER = _code(
    "E005", "bad-character", "error",
    "unexpected character {char}", "ký tự không hợp lệ {char}",
)
UNTERMINATED_STRING = _code(
    "E006", "unterminated-string", "error",
    "this string has no closing quote", "chuỗi này thiếu dấu nháy đóng",
)
TOO_LARGE = _code(
    "E007", "input-too-large", "error",
    "{what} exceeds the limit of {limit}", "{what_vi} vượt quá giới hạn {limit_vi}",
)
NOT_UTF8 = _code(
    "E008", "not-utf8", "error",
    "the file is not valid UTF-8 text", "tệp không phải văn bản UTF-8 hợp lệ",
)
# -- E1xx: names -------------------------------------------------------------------------
UNKNOWN_NAME = _code(
    "E101", "unknown-name", "error",
    "unknown {kind} `{name}`", "{kind_vi} `{name}` chưa được khai báo",
)
DUPLICATE_ID = _code(
    "E102", "duplicate-id", "error",
    "`{name}` is declared twice", "`{name}` được khai báo hai lần",
)
LET_CYCLE = _code(
    "E103", "let-cycle", "error",
    "derived values depend on each other in a cycle: {cycle}",
    "các giá trị dẫn xuất phụ thuộc vòng tròn: {cycle}",
)
DUPLICATE_ATTRIBUTE = _code(
    "E104", "duplicate-attribute", "error",
    "`{attribute}` is given twice", "`{attribute}` được khai báo hai lần",
)
MISSING_HEADER_FIELD = _code(
    "E105", "missing-header-field", "error",
    "the methodology header has no `{field}`", "phần đầu phương pháp thiếu `{field}`",
)
RESERVED_NAME = _code(
    "E106", "reserved-name", "error",
    "`{name}` is a word of the language and cannot name a declaration",
    "`{name}` là từ khoá của ngôn ngữ, không dùng làm tên khai báo được",
)
# -- E2xx: types -------------------------------------------------------------------------
TYPE_MISMATCH = _code(
    "E201", "type-mismatch", "error",
    "{detail}", "{detail_vi}",
)
DIVISION_OUTSIDE_LET = _code(
    "E202", "division-outside-let", "error",
    "division is only allowed in a `let`, where its zero-denominator rule is written",
    "phép chia chỉ được dùng trong `let`, nơi ghi rõ quy tắc khi mẫu số bằng 0",
)
MISSING_ZERO_RULE = _code(
    "E203", "missing-zero-rule", "error",
    "division by `{denominator}` has no rule for a zero denominator",
    "phép chia cho `{denominator}` chưa có quy tắc khi mẫu số bằng 0",
)
UNUSED_ZERO_RULE = _code(
    "E204", "unmatched-zero-rule", "error",
    "this zero-denominator rule matches no denominator in the expression",
    "quy tắc mẫu số bằng 0 này không khớp với mẫu số nào trong biểu thức",
)
BAD_VALUE = _code(
    "E205", "bad-value", "error",
    "{detail}", "{detail_vi}",
)
MISSING_VALUE = _code(
    "E206", "missing-value", "error",
    "{entity}: no value for {names}", "{entity}: thiếu giá trị của {names_vi}",
)
BAD_DATA = _code(
    "E207", "bad-data", "error",
    "{detail}", "{detail_vi}",
)
MISSING_REFERENCE = _code(
    "E208", "missing-reference", "error",
    "`{node}` compares with {figures} of its block, but no cohort or reference figure was given",
    "`{node}` so sánh với {figures_vi} của khối, nhưng chưa có nhóm so sánh hay giá trị tham chiếu",
)
BAD_DENOMINATOR = _code(
    "E209", "bad-denominator", "error",
    "`{name}` per `{denominator}`: {detail}", "`{name}` per `{denominator}`: {detail_vi}",
)
BAD_GROUP = _code(
    "E210", "bad-group", "error",
    "`missing mean within {group}`: {detail}", "`missing mean within {group}`: {detail_vi}",
)
# -- E3xx: structure, points, weights ----------------------------------------------------
BAND_UNREACHABLE = _code(
    "E301", "band-unreachable", "error",
    "this band can never apply: {reason}", "mức này không bao giờ được áp dụng: {reason_vi}",
)
BANDS_OUT_OF_ORDER = _code(
    "E302", "bands-out-of-order", "error",
    "bands are out of order: `{this}` comes after `{previous}`",
    "các mức sai thứ tự: `{this}` đứng sau `{previous}`",
)
BANDS_NOT_COVERING = _code(
    "E303", "bands-not-covering", "error",
    "no band applies to {gap}", "không có mức nào áp dụng cho {gap_vi}",
)
POINTS_ABOVE_MAX = _code(
    "E304", "points-above-max", "error",
    "this rule can award {points} points but the node's maximum is {maximum}",
    "quy tắc này có thể cho {points} điểm nhưng điểm tối đa của mục là {maximum}",
)
CHILDREN_CANNOT_REACH = _code(
    "E305", "children-cannot-reach-max", "error",
    "the children of `{node}` can reach only {reach} of its maximum {maximum}{where}",
    "các mục con của `{node}` chỉ đạt tối đa {reach} trên {maximum} điểm{where_vi}",
)
CHILDREN_OVERSHOOT = _code(
    "E306", "children-overshoot-max", "error",
    "the children of `{node}` can total {reach}, more than its maximum {maximum}{where}",
    "các mục con của `{node}` có thể đạt tổng {reach}, vượt điểm tối đa {maximum}{where_vi}",
)
WEIGHTS_NOT_100 = _code(
    "E307", "weights-not-100", "error",
    "weights add up to {total}, not 100%", "tổng trọng số là {total}, không phải 100%",
)
BAD_NODE_BODY = _code(
    "E308", "bad-node-body", "error",
    "{detail}", "{detail_vi}",
)
BAD_MAX = _code(
    "E309", "bad-maximum", "error",
    "{detail}", "{detail_vi}",
)
TABLE_NOT_EXHAUSTIVE = _code(
    "E310", "table-not-exhaustive", "error",
    "the table gives no points for {missing}", "bảng chưa cho điểm với {missing_vi}",
)
BAD_WEIGHT = _code(
    "E311", "bad-weight", "error",
    "{detail}", "{detail_vi}",
)
NO_APPLICABLE_BLOCK = _code(
    "E312", "applies-to-no-block", "error",
    "`{node}` applies to no block", "`{node}` không áp dụng cho khối nào",
)
BAD_INDEX = _code(
    "E313", "bad-index", "error",
    "{detail}", "{detail_vi}",
)
PROPORTIONAL_SCALE = _code(
    "E314", "proportional-scale", "error",
    "{detail}", "{detail_vi}",
)
COHORT_GROUP = _code(
    "E315", "cohort-group", "error",
    "`in group {name}`: {detail}", "`in group {name}`: {detail_vi}",
)
# -- E4xx: examples ----------------------------------------------------------------------
EXAMPLE_FAILED = _code(
    "E401", "example-failed", "error",
    "example {example}: expected {name} = {expected}, got {actual}",
    "ví dụ {example}: kỳ vọng {name} = {expected}, kết quả {actual}",
)
EXAMPLE_INVALID = _code(
    "E402", "example-invalid", "error",
    "example {example}: {detail}", "ví dụ {example}: {detail_vi}",
)
# -- W5xx: warnings ----------------------------------------------------------------------
UNUSED_INDICATOR = _code(
    "W501", "unused-indicator", "warning",
    "indicator `{name}` is never used", "chỉ số `{name}` không được dùng ở đâu",
)
UNUSED_LET = _code(
    "W502", "unused-let", "warning",
    "derived value `{name}` is never used", "giá trị dẫn xuất `{name}` không được dùng ở đâu",
)
NO_EXAMPLES = _code(
    "W503", "no-examples", "warning",
    "the methodology has no `example` block to check it against",
    "phương pháp chưa có khối `example` nào để kiểm tra",
)
IGNORED_COLUMN = _code(
    "W520", "ignored-column", "warning",
    "column `{name}` is not an indicator: it is read as information and ignored in scoring",
    "cột `{name}` không phải chỉ số: chỉ được đọc để tham khảo, không dùng khi chấm điểm",
)
HIDDEN_SHEET = _code(
    "W525", "hidden-sheet", "warning",
    "{detail}", "{detail_vi}",
)
HIDDEN_CELLS = _code(
    "W526", "hidden-cells", "warning",
    "{detail}", "{detail_vi}",
)
ROWS_NOT_READ = _code(
    "W527", "rows-not-read", "warning",
    "{detail}", "{detail_vi}",
)
SHARE_AS_FRACTION = _code(
    "W528", "share-as-fraction", "warning",
    "{entity}: {name}: {given} is read as {given}%; if it is a share of 1, write {meant} or "
    "{meant}%",
    "{entity}: {name}: {given} được đọc là {given}%; nếu đây là tỷ lệ trên 1, hãy viết {meant} "
    "hoặc {meant}%",
)
ALONE_IN_BLOCK = _code(
    "W529", "alone-in-block", "warning",
    "{entity}: `{node}` compares with {figures} of block `{block}`, but no other entity of the "
    "block was given: its own value, {value}, {taken} (full points)",
    "{entity}: `{node}` so sánh với {figures_vi} của khối `{block}`, nhưng không có đơn vị "
    "nào khác của khối: giá trị của chính nó, {value_vi}, {taken_vi} (điểm tối đa)",
)

# -- M6xx: monotonicity ------------------------------------------------------------------
NOT_MONOTONE = _code(
    "M601", "not-monotone", "error",
    "the score of `{node}` ({path}) can fall when `{indicator}` improves ({direction})",
    "điểm của `{node}` ({path}) có thể giảm khi `{indicator}` được cải thiện ({direction_vi})",
)
MONOTONE_UNPROVEN = _code(
    "M602", "monotone-unproven", "error",
    "cannot prove that `{node}` ({path}) never falls when `{indicator}` improves ({direction})",
    "không chứng minh được `{node}` ({path}) không giảm khi `{indicator}` được cải thiện "
    "({direction_vi})",
)
UNNEEDED_EXEMPTION = _code(
    "M603", "unneeded-exemption", "warning",
    "`{node}` is declared not monotone in `{indicator}`, but it is: {reason}",
    "`{node}` được khai báo không đơn điệu theo `{indicator}`, nhưng thực ra có: {reason_vi}",
)

# -- E7xx: audit records (`egov-rules verify-record`) ---------------------------------------
BAD_RECORD = _code(
    "E701", "bad-record", "error",
    "{detail}", "{detail_vi}",
)
DUPLICATE_RECORD_ENTRY = _code(
    "E702", "duplicate-record-entry", "error",
    "a second {what}: a record holds exactly one",
    "{what_vi} xuất hiện lần thứ hai: bản ghi chỉ được có đúng một",
)

# -- history stores (`egov-rules history`) ----------------------------------------------------
HISTORY_YEAR = _code(
    "E703", "history-year", "error",
    "{why}", "{why_vi}",
)
NOT_A_HISTORY = _code(
    "E704", "not-a-history", "error",
    "not an egov_rules history store: {why}",
    "không phải kho lịch sử của egov_rules: {why_vi}",
)

# -- E8xx: revisions (`methodology b extends a`, docs/revisions.md) --------------------------
UNKNOWN_BASE = _code(
    "E801", "unknown-base", "error",
    "no methodology `{name}` in the library ({library})",
    "thư viện ({library}) không có phương pháp `{name}`",
)
DUPLICATE_BASE = _code(
    "E802", "duplicate-base", "error",
    "methodology `{name}` is found {count} times in the library: {paths}",
    "phương pháp `{name}` có {count} lần trong thư viện: {paths}",
)
EXTENDS_CYCLE = _code(
    "E803", "extends-cycle", "error",
    "the chain of `extends` comes back to `{name}`: {chain}",
    "chuỗi `extends` quay lại `{name}`: {chain}",
)
AMEND_UNKNOWN = _code(
    "E804", "amend-unknown", "error",
    "cannot {action} `{name}`: {base} has no {kind} `{name}`",
    "không thể {action_vi} `{name}`: {base} không có {kind_vi} `{name}`",
)
AMEND_EXISTS = _code(
    "E805", "amend-exists", "error",
    "cannot add `{name}`: {base} already has it",
    "không thể thêm `{name}`: {base} đã có",
)
REMOVED_REFERENCE = _code(
    "E806", "removed-reference", "error",
    "`{name}` is removed by a revision ({where}) but still used here",
    "`{name}` đã bị bãi bỏ trong lần sửa đổi ({where}) nhưng vẫn được dùng ở đây",
)
BAD_AMENDMENT = _code(
    "E807", "bad-amendment", "error",
    "{detail}", "{detail_vi}",
)

ALL_CODES: tuple[Code, ...] = tuple(_ALL)
BY_CODE: dict[str, Code] = {c.code: c for c in ALL_CODES}
