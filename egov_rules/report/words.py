"""The report's fixed phrases, in English and Vietnamese (labels come from the results)."""

from __future__ import annotations

from egov_rules.diagnostics import Lang

WORDS: dict[str, tuple[str, str]] = {  # key → (English, Vietnamese)
    "report": ("Evaluation report", "Báo cáo đánh giá"),
    "methodology": ("Methodology", "Phương pháp"),
    "year": ("Year", "Năm"),
    "source": ("Legal source", "Căn cứ pháp lý"),
    "hash": ("Content hash", "Mã băm nội dung"),
    "rules_file": ("Rule file", "Tệp quy tắc"),
    "data_file": ("Data file", "Tệp số liệu"),
    "data_hash": ("Data hash (sha256)", "Mã băm số liệu (sha256)"),
    "version": ("egov_rules version", "Phiên bản egov_rules"),
    "contents": ("Contents", "Mục lục"),
    "rankings": ("Rankings by block", "Xếp hạng theo khối"),
    "entities": ("Results by entity", "Kết quả theo đơn vị"),
    "block": ("Block", "Khối"),
    "rank": ("Rank", "Hạng"),
    "entity": ("Entity", "Đơn vị"),
    "index": ("Index", "Chỉ số"),
    "value": ("Value", "Giá trị"),
    "grade": ("Grade", "Xếp loại"),
    "tied": ("tied", "đồng hạng"),
    "competition": ("“=” marks a tie: tied entities share a rank and the next rank is skipped.",
                    "Dấu “=” đánh dấu đồng hạng: các đơn vị bằng nhau cùng hạng, hạng kế tiếp bị bỏ qua."),
    "dense": ("“=” marks a tie: tied entities share a rank and the next rank follows on.",
              "Dấu “=” đánh dấu đồng hạng: các đơn vị bằng nhau cùng hạng, hạng kế tiếp liền sau."),
    "chart": ("Share of the maximum by category", "Tỷ lệ điểm đạt được so với tối đa theo hạng mục"),
    "indices": ("Indices", "Các chỉ số"),
    "explanation": ("Explanation by criterion", "Giải trình theo tiêu chí"),
    "points": ("points", "điểm"),
    "of": ("of", "trên"),
    "read": ("Values read", "Số liệu sử dụng"),
    "rule": ("Rule applied", "Cách tính"),
    "next": ("Next points", "Để thêm điểm"),
    "next_grade": ("Next grade", "Để lên hạng"),
    "reconstructed": ("reconstruction", "tái dựng"),
    "na": ("not applicable", "không áp dụng"),
    "unrounded": ("before rounding", "trước khi làm tròn"),
    "where": ("where", "với"),
    "summary": ("Summary by block", "Tóm tắt theo khối"),
    "summary_note": ("Ranked on {index}; each value with its grade.",
                     "Xếp theo {index}; mỗi giá trị kèm xếp loại."),
    "gains": ("Largest available gains", "Các mức tăng điểm lớn nhất"),
    "gain_note": ("A gain is counted on the criterion that earns it.",
                  "Điểm tăng được tính trên chính tiêu chí đạt được."),
    "gains_printed": ("On paper, the {count} largest; every gain is on screen and in the "
                      "entity's own report.",
                      "Trên giấy in {count} mức lớn nhất; đủ các mức trên màn hình và trong báo cáo riêng "
                      "của đơn vị."),
    "no_gains": ("No hint: every criterion is at its maximum or has no lever.",
                 "Không có gợi ý: mọi tiêu chí đã đạt tối đa hoặc không có cách tăng."),
    "category": ("Category", "Hạng mục"),
    "criterion": ("Criterion", "Tiêu chí"),
    "gain": ("Gain (points)", "Thêm (điểm)"),
    "how": ("How", "Cách đạt"),
    "standing": ("Next grade and next rank", "Lên hạng xếp loại và thứ hạng"),
    "next_rank": ("Next rank", "Lên thứ hạng"),
    "footer": ("Produced by egov_rules. Each number carries its exact value in a data-value attribute.",
               "Tạo bởi egov_rules. Mỗi con số mang giá trị chính xác trong thuộc tính data-value."),
}


def phrase(key: str, lang: Lang) -> str:
    en, vi = WORDS[key]
    return vi if lang == "vi" else en
