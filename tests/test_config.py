from pathlib import Path

import pytest

from pantau.settings import ConfigError, Settings, load_settings


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "pantau.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_without_a_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    settings = load_settings()
    assert settings == Settings()
    assert settings.warehouse.path == "pantau.duckdb"
    assert [r.kind for r in settings.alerts.rules] == ["new_regulation"]


def test_file_overrides_defaults(tmp_path):
    path = write(tmp_path, """
[warehouse]
path = "x.duckdb"

[http]
read_timeout = 3

[[feeds]]
url = "https://jabar.antaranews.com/rss/terkini.xml"
name = "Antara Jabar"
region = "Jawa Barat"

[[alerts.rules]]
name = "regulasi-baru"
kind = "new_regulation"
channels = ["jsonl"]
""")
    settings = load_settings(path)
    assert settings.warehouse.path == "x.duckdb"
    assert settings.http.read_timeout == 3.0
    assert settings.http.connect_timeout == Settings().http.connect_timeout
    assert settings.feeds[0].name == "Antara Jabar"
    assert settings.alerts.rules[0].channels == ["jsonl"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[http]\nread_timeout = 3\nconnect_timeout = = 4\n", "pantau.toml:3: malformed TOML"),
        ("[http]\nread_timeout = 3\ntimout = 4\n", "pantau.toml:3: unknown key 'timout' in [http]"),
        ("[warehouse]\npath = 5\n", "pantau.toml:2: 'warehouse.path' must be str, not int 5"),
        ("\n[[feeds]]\nname = 'no url'\n", "pantau.toml:2: [feeds] is missing url"),
        ("[[feeds]]\nurl = 'ftp://x'\n", "pantau.toml:2: feed url must start with http"),
        ("[[alerts.rules]]\nname = 'r'\nchannels = ['pager']\n", "pantau.toml:3: alert rule 'r': unknown channel 'pager'"),
    ],
)
def test_bad_config_names_file_and_line(tmp_path, text, expected):
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        load_settings(path)
    assert expected in str(info.value)
    assert "\n" not in str(info.value).strip()


def test_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(ConfigError, match="cannot read config"):
        load_settings(tmp_path / "nope.toml")
