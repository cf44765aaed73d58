"""The extractor on 119 labelled letters (17 templates) rendered, mildly degraded and OCR'd by
the real page pipeline (2 processes): the issue's accuracy targets, wrong values counted
apart from empty ones."""

from __future__ import annotations

from corpus_letters import FIELDS, corpus, mistakes, read_all, score


def test_mild_corpus_meets_targets():
    samples = corpus()
    assert len(samples) >= 80
    assert len({s.template for s in samples}) >= 8
    results = read_all(samples, "mild")
    table = score(samples, results)
    report = {"table": table, "mistakes": mistakes(samples, results)}
    for f in FIELDS:
        assert table[f]["n"] >= 80, report
        assert table[f]["correct"] / table[f]["n"] >= 0.95, report
    assert table["letter_date"]["wrong"] == 0, report
    assert table["letter_date"]["empty"] / table["letter_date"]["n"] <= 0.05, report
    languages = {s.truth["language"] for s in samples}
    assert languages == {"hi", "en", "bilingual"}
