"""Where the stock file is found, in order, and the one line when it is not; and the config."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from microfolio.errors import NotFoundError
from microfolio.services.research import STOCKS_ENV, ResearchConfig, find_stocks_file

RELATIVE = Path("shared/data/stocks_daily.csv.gz")


def place(base: Path) -> Path:
    """A stock file at ``base/../shared/data/`` (what the search looks for)."""
    file = base.parent / RELATIVE
    file.parent.mkdir(parents=True, exist_ok=True)
    file.write_text("date,ticker,close\n")
    return file.resolve()


def test_the_file_given_wins_over_everything(tmp_path: Path) -> None:
    given = tmp_path / "mine.csv"
    given.write_text("x")
    work = tmp_path / "work"
    work.mkdir()
    place(work)

    found = find_stocks_file(given, {STOCKS_ENV: str(tmp_path / "other.csv")}, work, work)

    assert found == given


def test_the_environment_comes_before_the_folders(tmp_path: Path) -> None:
    env_file = tmp_path / "env.csv.gz"
    env_file.write_text("x")
    work = tmp_path / "work"
    work.mkdir()
    place(work)

    assert find_stocks_file(None, {STOCKS_ENV: str(env_file)}, work, None) == env_file


def test_the_working_directory_then_the_repository_root(tmp_path: Path) -> None:
    (tmp_path / "a" / "cwd").mkdir(parents=True)
    (tmp_path / "b" / "repo").mkdir(parents=True)
    in_repo = place(tmp_path / "b" / "repo")

    assert find_stocks_file(None, {}, tmp_path / "a" / "cwd", tmp_path / "b" / "repo") == in_repo
    in_cwd = place(tmp_path / "a" / "cwd")
    assert find_stocks_file(None, {}, tmp_path / "a" / "cwd", tmp_path / "b" / "repo") == in_cwd


def test_no_stock_file_is_one_line_naming_where_it_looked(tmp_path: Path) -> None:
    (tmp_path / "cwd").mkdir()
    (tmp_path / "repo").mkdir()

    with pytest.raises(NotFoundError) as caught:
        find_stocks_file(None, {}, tmp_path / "cwd", tmp_path / "repo")

    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith(f"no stock prices found: pass --prices FILE or set {STOCKS_ENV}")
    assert str((tmp_path / "cwd" / ".." / RELATIVE).resolve()) in message


@pytest.mark.parametrize(
    ("explicit", "env", "message"),
    [("missing.csv", "", "--prices"), (None, "missing.csv", STOCKS_ENV)],
)
def test_a_named_file_that_is_missing_is_refused(
    tmp_path: Path, explicit: str | None, env: str, message: str
) -> None:
    given = None if explicit is None else tmp_path / explicit
    environ = {STOCKS_ENV: str(tmp_path / env)} if env else {}

    with pytest.raises(NotFoundError, match=f"^{message}.*no such file$"):
        find_stocks_file(given, environ, tmp_path, tmp_path)


def test_the_config_is_strict_frozen_and_hashed() -> None:
    config = ResearchConfig.for_universe("etfs")
    stocks = ResearchConfig.for_universe("stocks")

    assert config.models == (
        "momentum",
        "historical_mean",
        "elastic_net",
        "random_forest",
        "gradient_boosting",
        "lstm",
    )
    assert (stocks.max_tickers, stocks.vol_tickers, stocks.rescale_vol) == (100, 20, False)
    assert config.config_hash() == ResearchConfig.for_universe("etfs").config_hash()
    assert config.config_hash() != ResearchConfig.for_universe("etfs", seed=1).config_hash()
    with pytest.raises(ValidationError):
        ResearchConfig.for_universe("etfs", colour="blue")
    with pytest.raises(ValidationError):
        ResearchConfig.for_universe("bonds")
    with pytest.raises(ValidationError, match="repeat"):
        ResearchConfig.for_universe("etfs", models=("zero", "zero"))
    with pytest.raises(ValidationError):
        config.horizon = 5  # type: ignore[misc]
