from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from extractors.load import decode, discover_inputs, read_file
from schema.errors import InputNotFoundError, RecordRejected
from schema.records import RawDocument


def test_text_file_is_one_document(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text("Japan and China held talks in Tokyo on Tuesday.\n", encoding="utf-8")
    [doc] = list(read_file(path))
    assert isinstance(doc, RawDocument)
    assert doc.uri == str(path)
    assert doc.text.startswith("Japan and China")


def test_jsonl_records_keep_fields_and_reject_bad_lines(tmp_path: Path) -> None:
    path = tmp_path / "feed.jsonl"
    lines = [
        json.dumps(
            {"id": "a1", "text": "Japan met China.", "title": "T", "outlet": "Kyodo", "published": "2020-01-02"}
        ),
        "{not json",
        json.dumps({"id": "a3", "title": "no text here"}),
        "",
        json.dumps({"text": "China met Japan."}),
    ]
    path.write_text("\n".join(lines), encoding="utf-8")
    items = list(read_file(path))
    assert [type(i).__name__ for i in items] == ["RawDocument", "RecordRejected", "RecordRejected", "RawDocument"]
    first, bad_json, no_text, last = items
    assert isinstance(first, RawDocument) and first.uri == f"{path}#a1" and first.outlet == "Kyodo"
    assert first.published == "2020-01-02" and first.title == "T"
    assert isinstance(bad_json, RecordRejected) and bad_json.uri == f"{path}#2" and "malformed JSON" in bad_json.reason
    assert isinstance(no_text, RecordRejected) and "no `text`" in no_text.reason
    assert isinstance(last, RawDocument) and last.uri == f"{path}#5"


def test_json_list_and_csv(tmp_path: Path) -> None:
    jpath = tmp_path / "a.json"
    jpath.write_text(json.dumps([{"text": "One."}, {"text": "Two.", "id": 7}]), encoding="utf-8")
    assert [d.uri for d in read_file(jpath) if isinstance(d, RawDocument)] == [f"{jpath}#0", f"{jpath}#7"]
    cpath = tmp_path / "a.csv"
    cpath.write_text('id,text,outlet\nx1,"Japan, China met.",AFP\nx2,,AFP\n', encoding="utf-8")
    good, bad = list(read_file(cpath))
    assert isinstance(good, RawDocument) and good.text == "Japan, China met." and good.outlet == "AFP"
    assert (isinstance(bad, RecordRejected) and bad.uri == f"{cpath}#x2") or bad.uri == f"{cpath}#3"


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("empty.txt", b"", "empty"),
        ("blank.txt", b"  \n\n ", "empty"),
        ("binary.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00IHDR", "binary"),
        ("latin1.txt", "Café au Président".encode("latin-1"), "UTF-8"),
        ("image.png", b"\x89PNG", "unsupported file type"),
        ("broken.json", b'{"text": ', "malformed JSON"),
        ("nocol.csv", b"a,b\n1,2\n", "`text` column"),
    ],
)
def test_bad_files_become_rejects(tmp_path: Path, name: str, content: bytes, reason: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    [item] = list(read_file(path))
    assert isinstance(item, RecordRejected)
    assert reason in item.reason
    assert item.uri == str(path)
    assert item.stage == "load"


def test_missing_input_is_a_user_error(tmp_path: Path) -> None:
    with pytest.raises(InputNotFoundError, match="does not exist"):
        discover_inputs([tmp_path / "nope"])


def test_discover_sorts_and_skips_hidden(tmp_path: Path) -> None:
    (tmp_path / "b.txt").write_text("x")
    (tmp_path / "a.txt").write_text("x")
    (tmp_path / ".hidden.txt").write_text("x")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "c.jsonl").write_text("{}")
    assert [p.name for p in discover_inputs([tmp_path])] == ["a.txt", "b.txt", "c.jsonl"]


@given(st.binary(max_size=2000))
def test_decode_never_raises_on_random_bytes(data: bytes) -> None:
    result = decode(data, "random.bin")
    assert isinstance(result, str | RecordRejected)
