"""The packaged data pack: files load, grades are valid, known numbers, and validate() catches faults."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pandas as pd
import pytest

from makhovik.errors import MakhovikError
from makhovik.evidence import datapack
from makhovik.world.inputs import data_path


@pytest.mark.parametrize("name", datapack.FILES)
def test_every_file_loads_with_its_columns(name):
    df = datapack.load(name)
    assert len(df) > 0
    assert list(df.columns[: len(datapack.COLUMNS[name])]) == list(datapack.COLUMNS[name])


@pytest.mark.parametrize("name", [f for f in datapack.FILES if f != "sources.csv"])
def test_every_row_has_a_grade_and_unsourced_rows_are_unverified(name):
    df = datapack.load(name)
    assert set(df["quality"]) <= set(datapack.GRADES)
    assert (df.loc[df["source"].str.strip() == "", "quality"] == "unverified").all()


def test_load_accepts_names_without_suffix_and_returns_copies():
    a = datapack.load("events")
    a.loc[0, "event"] = "changed"
    assert datapack.load("events.csv").loc[0, "event"] != "changed"
    with pytest.raises(MakhovikError, match="nope"):
        datapack.load("nope")


def _annual(year, measure):
    a = datapack.load("annual.csv")
    row = a[(a.year == year) & (a.measure == measure)]
    assert len(row) == 1
    return int(row.value.iloc[0]), row.quality.iloc[0]


def test_annual_spot_checks():
    assert _annual(1937, "convicted") == (790665, "verified")
    assert _annual(1937, "arrested") == (918671, "secondary")
    assert _annual(1938, "executed") == (328618, "verified")
    a = datapack.load("annual.csv")
    assert len(a) == 17  # 7 years x (convicted, executed) + arrests 1937-39
    arrests = a[a.measure == "arrested"].set_index("year")["value"]
    assert arrests[1937] + arrests[1938] == 1_548_366  # the total Wikipedia cites (1937-38)
    assert not a.loc[a.measure == "arrested", "source"].str.contains("MVD 1st special").any()


def test_variant_spot_checks():
    v = datapack.load("annual_variants.csv")
    garf = v[v.series.str.contains("GARF")]
    assert set(garf.quality) == {"unverified"} and (garf.source == "").all()
    assert garf.loc[garf.year == "1938", "arrested"].tolist() == ["638509"]
    kgb = v[v.series == "KGB accounting"]
    assert set(kgb.quality) == {"verified"}
    assert v.loc[v.series == "Pospelov commission executed", "quality"].tolist() == ["secondary"]


def test_limits_and_other_spot_checks():
    lim = datapack.load("limits_00447.csv")
    tot = lim[lim.region == "USSR TOTAL"].iloc[0]
    assert (int(tot.cat1_shoot), int(tot.cat2_camp), tot.quality) == (75950, 193000, "verified")
    rep = lim[(lim.type == "initial") & lim.level.isin(["republic", "camps"])]
    assert rep.cat1_shoot.astype(int).sum() == 75950
    assert pd.to_numeric(rep.cat2_camp).sum() == 193000
    assert set(lim.loc[lim.source.str.contains("Kremlyov|same \\(secondary\\)"), "quality"]) == {"secondary"}

    ev = datapack.load("events.csv")
    assert len(ev) == 59 and (ev.date != "").all()
    assert set(ev.loc[ev.verified.str.startswith("NO"), "quality"]) == {"unverified"}
    assert ev.loc[ev.date == "1938-02-21", "quality"].tolist() == ["verified"]

    cp = datapack.load("checkpoints.csv").set_index(["date", "series"])
    assert cp.loc[("1937-09-01", "op00447_arrested_cumulative"), "quality"] == "secondary"  # [S18]
    assert cp.loc[("1938-11-01", "nkvd_arrested_since_1936-10-01"), "quality"] == "verified"  # [S21]

    ops = datapack.load("operations.csv").set_index("operation")
    assert ops.loc["Order 00447 (Wikipedia/Memorial variant)", "quality"] == "secondary"  # [S7]
    elite = datapack.load("elite.csv").set_index("group")
    assert elite.loc["Delegates to 17th Congress (voting+advisory)", "quality"] == "unverified"  # 848


def test_sources_list():
    s = datapack.sources()
    assert s.tag.is_unique
    assert {"S1", "S2", "S12b", "S56b", "S57b", "S67"} <= set(s.tag)
    assert s.set_index("tag").loc["S1", "urls"].startswith("https://user.bibliboba.online/")
    assert s.set_index("tag").loc["S43", "urls"].count(" ; ") == 2


def test_every_history_tag_is_in_sources():
    """Every source tag the shipped historical notes cite resolves in sources.csv (and the notes ship)."""
    from makhovik.claims import source_text

    tags = set(re.findall(r"\[(S\d+[a-z]?)\]", source_text("history")))
    assert len(tags) > 60 and tags <= set(datapack.sources().tag)


def _copy(tmp_path: Path) -> Path:
    for name in datapack.FILES:
        shutil.copy(str(data_path(name)), tmp_path / name)
    return tmp_path


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_validate_passes_on_a_clean_copy(tmp_path):
    datapack.validate()
    datapack.validate(_copy(tmp_path))


@pytest.mark.parametrize(
    ("name", "old", "new", "message"),
    [
        ("annual.csv", "790665,", "790665 ,", r"annual\.csv: row \d+ \(line \d+\), column 'value'"),
        ("annual.csv", ",secondary", ",good", r"annual\.csv: row 7 \(line 8\), column 'quality': 'good'"),
        ("events.csv", "Yagoda arrested,,NO", "Yagoda arrested,x,NO", None),  # sourced and unverified: fine
        ("events.csv", "(weak host),secondary", "(weak host),", r"events\.csv: row \d+ \(line \d+\), column 'quality'"),
        ("operations.csv", "source,quality", "source,grade", r"operations\.csv: header, column 'quality'"),
        ("sources.csv", "S13,", "S12,", r"sources\.csv: row 14 \(line 15\), column 'tag': S12 repeats"),
    ],
)
def test_validate_rejects_a_corrupted_copy(tmp_path, name, old, new, message):
    folder = _copy(tmp_path)
    _edit(folder / name, old, new)
    if message is None:
        datapack.validate(folder)
        return
    with pytest.raises(MakhovikError, match=message) as err:
        datapack.validate(folder)
    assert "\n" not in str(err.value)


def test_validate_rejects_an_unsourced_row_graded_above_unverified(tmp_path):
    folder = _copy(tmp_path)
    _edit(folder / "events.csv", "Yagoda arrested,,NO (day unverified; commonly given as 28-29 Mar 1937),unverified",
          "Yagoda arrested,,NO (day unverified; commonly given as 28-29 Mar 1937),verified")
    with pytest.raises(MakhovikError, match=r"events\.csv: row \d+ \(line \d+\), column 'source': empty"):
        datapack.validate(folder)


def test_validate_checks_the_packaged_files_through_data_path(monkeypatch, tmp_path):
    folder = _copy(tmp_path)
    _edit(folder / "elite.csv", ",verified\n", ",excellent\n")
    monkeypatch.setattr(datapack, "data_path", lambda name: folder / name)
    with pytest.raises(MakhovikError, match=r"elite\.csv: row 1 \(line 2\), column 'quality': 'excellent'"):
        datapack.validate()
