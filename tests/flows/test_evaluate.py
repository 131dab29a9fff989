"""Scoring against gold: the arithmetic, the two gold formats, and the CLI command."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from flows.cli import app
from flows.evaluate import read_petr_xml, score
from schema.config import PROJECT_ROOT

PETR = PROJECT_ROOT.parent / "shared" / "eval" / "PETR2_GSR_validation.xml"


def test_score_levels_and_lists() -> None:
    gold = {"s1": [("JPNGOV", "CHNGOV", "040"), ("CHNGOV", "JPNGOV", "040")], "s2": [("USA", "IRN", "111")]}
    system = {"s1": [("JPNGOV", "CHN", "042")], "s3": [("RUS", "UKR", "190")]}
    country, sector, full = score(gold, system)
    assert (country.tp, country.fp, country.fn) == (1, 1, 2)
    assert country.precision == 0.5 and country.recall == pytest.approx(1 / 3)
    assert country.f1 == pytest.approx(0.4)
    assert (sector.tp, full.tp) == (0, 0)
    assert ("s3", ("RUS", "UKR", "19")) in country.extras
    assert ("s2", ("USA", "IRN", "11")) in country.misses


@pytest.mark.skipif(not PETR.exists(), reason="../shared/eval is not beside this checkout")
def test_petr_reader_reads_every_sentence() -> None:
    sentences = read_petr_xml(PETR)
    assert len(sentences) == 78
    # The file's 93 <EventCoding> lines are 80 events, 12 `noevents` markers and one in a comment.
    assert sum(len(s.events) for s in sentences) == 80
    assert sum(1 for s in sentences if not s.events) == 12
    assert all(s.text and "<" not in s.text for s in sentences)


def test_eval_command_on_a_small_gold_set(tmp_path: Path) -> None:
    articles = [
        {"id": "a1", "published": "2021-03-02", "text": "Japan and China held talks in Tokyo on Tuesday."},
        {"id": "a2", "published": "2021-03-02", "text": "Beijing criticized Tokyo on Monday. It rained."},
    ]
    gold = [
        {"article": "a1", "sentence": "Japan and China held talks", "source": "JPN", "target": "CHN", "code": "046"},
        {"article": "a1", "sentence": "Japan and China held talks", "source": "CHN", "target": "JPN", "code": "046"},
        {"article": "a2", "sentence": "It rained", "source": "CHN", "target": "JPN", "code": "110"},
    ]
    (tmp_path / "articles.jsonl").write_text("\n".join(json.dumps(a) for a in articles), encoding="utf-8")
    (tmp_path / "events.jsonl").write_text("\n".join(json.dumps(g) for g in gold), encoding="utf-8")
    result = CliRunner().invoke(app, ["eval", str(tmp_path / "events.jsonl")])
    assert result.exit_code == 0, result.output
    country_line = next(line for line in result.output.splitlines() if line.startswith("country+root"))
    # talks both ways match; the criticism is coded on sentence 0, the gold put it on sentence 1.
    assert country_line.split()[4:7] == ["2", "1", "1"]
    assert "a2/1: CHN JPN 11" in result.output and "a2/0: CHN JPN 11" in result.output


def test_gold_set_is_consistent_and_scores_above_the_floor() -> None:
    """The team's gold set (tests/gold/) codes end to end; the floor guards against regressions and rises with
    the engine (measured: country+root F1 0.480 at the start of session 2, 0.812 at its end, 0.836 in session 3)."""
    from flows.evaluate import evaluate
    from schema.config import PipelineConfig

    gold = PROJECT_ROOT / "tests" / "gold" / "events.jsonl"
    rows = [json.loads(line) for line in gold.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert len(rows) >= 250
    assert {r["code"][:2] for r in rows} == {f"{i:02d}" for i in range(1, 21)}
    country, _, _ = evaluate(gold, PipelineConfig())
    assert country.tp + country.fn == len(rows)
    assert country.f1 >= 0.80


def test_seed_gold_codes_the_seed_directory_and_scores_above_the_floor() -> None:
    """The seed articles' gold (tests/gold/seeds/): its articles are `articles/`, a relative symlink to
    seeds/articles, and a gold row names an article by its file's stem. Measured 2026-11-23 (129 gold events):
    country+root P 0.710, R 0.341, F1 0.461 at d6f30b9; 0.590 later that day (114 gold events after the
    conventions were aligned with the team gold); 0.745 in session 3. The floor guards against regressions and rises
    with the engine."""
    from flows.evaluate import evaluate
    from schema.config import PipelineConfig

    gold = PROJECT_ROOT / "tests" / "gold" / "seeds" / "events.jsonl"
    link = gold.with_name("articles")
    assert link.is_symlink() and not Path(link.readlink()).is_absolute()
    assert link.resolve() == (PROJECT_ROOT / "seeds" / "articles").resolve()
    rows = [json.loads(line) for line in gold.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert len(rows) >= 100
    assert {r["article"] for r in rows} == {p.stem for p in link.iterdir()}
    country, _, _ = evaluate(gold, PipelineConfig())
    assert country.tp + country.fn == len(rows)
    assert country.f1 >= 0.70


def test_a_gold_directory_scores_all_its_gold_files_together() -> None:
    """tests/gold/ as a whole is what issue 3 sets its bar on: country-dyad + root F1 >= 0.80 (0.811 measured)."""
    from flows.evaluate import evaluate
    from schema.config import PipelineConfig

    root = PROJECT_ROOT / "tests" / "gold"
    parts = [evaluate(f, PipelineConfig())[0] for f in sorted(root.rglob("events.jsonl"))]
    combined = evaluate(root, PipelineConfig())[0]
    assert len(parts) == 2
    assert combined.tp == sum(p.tp for p in parts)
    assert (combined.fp, combined.fn) == (sum(p.fp for p in parts), sum(p.fn for p in parts))
    assert {u.split(":", 1)[0] for u, _ in combined.misses} == {"gold", "seeds"}
    assert combined.f1 >= 0.80


def test_jsonl_gold_without_articles_beside_it_is_a_config_error(tmp_path: Path) -> None:
    from flows.evaluate import evaluate
    from schema.config import PipelineConfig
    from schema.errors import ConfigError

    gold = tmp_path / "events.jsonl"
    gold.write_text(json.dumps({"article": "a1", "sentence": "x", "source": "JPN", "target": "CHN", "code": "040"}))
    (tmp_path / "articles").write_text("not a directory", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"no articles\.jsonl or articles/ directory"):
        evaluate(gold, PipelineConfig())
