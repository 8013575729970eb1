"""The charts councils receive, per KPI family, as plotly figures with Dutch labels.

Rules every chart keeps:
- a suppressed cell (1 to 4 clients/cases/recipients, or its complement) is drawn as
  "onderdrukt", never as 0 or as an empty bar that reads as 0;
- a CBS secret value (null without suppression) is "geheim (CBS)";
- figures that do not add up (clients across product categories) are never stacked.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from sdw.report.data import ReportData, as_float

SUPPRESSED = "onderdrukt"
SECRET = "geheim (CBS)"
UNKNOWN_DISTRICT = "Wijk onbekend"
LAW_NAMES = {"wmo": "Wmo", "jeugdwet": "Jeugdwet"}
STEP_NAMES = {
    "melding_to_onderzoek": "melding → onderzoek afgerond",
    "aanvraag_to_beschikking": "aanvraag → beschikking",
}
STEP_COLUMNS = {
    "melding_to_onderzoek": ("median_days_melding_to_onderzoek", "pct_onderzoek_within_norm"),
    "aanvraag_to_beschikking": (
        "median_days_aanvraag_to_beschikking",
        "pct_beschikking_within_norm",
    ),
}
BENEFIT_NAMES = {
    "participatiewet": "Participatiewet",
    "ioaw": "IOAW",
    "ioaz": "IOAZ",
    "bbz": "Bbz",
    "ww": "WW",
    "bijstand": "Bijstand",
    "ao": "Arbeidsongeschiktheid",
    "aow": "AOW",
    "totaal": "Totaal",
}
SOURCE_NAMES = {"municipality": "gemeentelijke registratie", "cbs": "CBS"}
MONTHS = (
    "jan",
    "feb",
    "mrt",
    "apr",
    "mei",
    "jun",
    "jul",
    "aug",
    "sep",
    "okt",
    "nov",
    "dec",
)
LAW_COLOURS = {"wmo": "#1f6f8b", "jeugdwet": "#e07a1f"}


@dataclass(frozen=True)
class Chart:
    chart_id: str
    title: str
    explanation: str
    figure: go.Figure


@dataclass(frozen=True)
class Family:
    """One KPI family: a section of the report with its charts, or a note why there are none."""

    family_id: str
    title: str
    charts: tuple[Chart, ...]
    note: str | None = None


def quarter_label(d: date) -> str:
    return f"{d.year} K{(d.month - 1) // 3 + 1}"


def month_label(d: date) -> str:
    return f"{MONTHS[d.month - 1]} {d.year}"


def dutch_number(value: float, decimals: int = 1) -> str:
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "X").replace(".", ",").replace("X", ".")


def _layout(fig: go.Figure, title: str, **kwargs: Any) -> go.Figure:
    fig.update_layout(
        title={"text": title, "x": 0, "xanchor": "left"},
        separators=",.",  # Dutch: decimal comma, thousands dot
        template="plotly_white",
        font={"family": "Segoe UI, Helvetica, Arial, sans-serif", "size": 13},
        margin={"l": 60, "r": 30, "t": 70, "b": 60},
        legend=kwargs.pop("legend", {"orientation": "h", "y": -0.18}),
        height=kwargs.pop("height", 430),
        **kwargs,
    )
    return fig


def _law_series(frame: pd.DataFrame) -> Iterable[tuple[str, str, pd.DataFrame]]:
    """(name, law, rows) per municipality x law; the municipality is named only when the
    warehouse holds several."""
    several = frame["municipality_code"].nunique() > 1
    for (municipality, law), rows in frame.groupby(["municipality_code", "law"], sort=True):
        name = LAW_NAMES.get(law, law)
        yield (f"{municipality} {name}" if several else name), law, rows


def district_names(data: ReportData) -> dict[str, str]:
    """WK code -> CBS wijk name (the newest year's), for axis labels."""
    names: dict[str, str] = {"UNKNOWN": UNKNOWN_DISTRICT}
    for mart in ("ses_scores", "population_by_district"):
        frame = data.marts.get(mart)
        if frame is None:
            continue
        for row in frame.sort_values("year").itertuples():
            if row.region_name:
                names[row.region_code] = f"{row.region_name} ({row.region_code})"
    return names


# ---------------------------------------------------------------- waiting times


def waiting_charts(data: ReportData) -> Family:
    frame = data.marts.get("waiting_times_quarterly")
    title = "Wachttijden: van verzoek om toewijzing tot besluit"
    if frame is None or frame.empty:
        return Family("wachttijden", title, (), "Geen wachttijdgegevens gepubliceerd.")
    median = go.Figure()
    within = go.Figure()
    for name, law, rows in _law_series(frame):
        x = [quarter_label(d) for d in rows["quarter_start"]]
        median.add_scatter(
            x=x,
            y=[as_float(v) for v in rows["median_days_to_decision"]],
            name=name,
            mode="lines+markers",
            line={"color": LAW_COLOURS.get(law)},
            hovertemplate="%{x}: mediaan %{y:.1f} dagen<extra>" + name + "</extra>",
        )
        within.add_bar(
            x=x,
            y=[as_float(v) for v in rows["pct_decided_within_5_workdays"]],
            name=name,
            marker_color=LAW_COLOURS.get(law),
            text=[
                "geen besluiten" if v is None else f"{dutch_number(float(v))}%"
                for v in rows["pct_decided_within_5_workdays"]
            ],
            textposition="outside",
            hovertemplate="%{x}: %{y:.2f}% binnen 5 werkdagen<extra>" + name + "</extra>",
        )
    _layout(
        median,
        "Mediaan aantal kalenderdagen tot besluit",
        xaxis_title="Kwartaal van het verzoek",
        yaxis_title="Dagen (mediaan)",
    )
    _layout(
        within,
        "Besloten binnen 5 werkdagen (norm OP274)",
        xaxis_title="Kwartaal van het verzoek",
        yaxis_title="% van de besliste verzoeken",
        yaxis_range=[0, 110],
        barmode="group",
    )
    return Family(
        "wachttijden",
        title,
        (
            Chart(
                "wachttijd-mediaan",
                "Mediaan dagen tot besluit",
                "Per kwartaal van het "
                "verzoek (315): de mediaan van de kalenderdagen tot de toewijzing (301) of "
                "afwijzing (319).",
                median,
            ),
            Chart(
                "wachttijd-binnen-norm",
                "% binnen 5 werkdagen",
                "Aandeel van de besliste "
                "verzoeken met een besluit binnen 5 werkdagen (iStandaarden OP274).",
                within,
            ),
        ),
    )


# ---------------------------------------------------------------- care usage


def _category_names(data: ReportData) -> dict[tuple[str, str], str]:
    labels = data.labels.get("product_categories")
    if labels is None:
        return {}
    return {(r.law, r.product_category): r.name for r in labels.itertuples()}


def care_charts(data: ReportData) -> Family:
    frame = data.marts.get("care_usage_quarterly")
    title = "Zorggebruik: cliënten en geaccepteerde bedragen per wet"
    if frame is None or frame.empty:
        return Family("zorggebruik", title, (), "Geen declaraties gepubliceerd.")
    names = _category_names(data)
    laws = sorted(frame["law"].unique())
    clients = make_subplots(
        rows=1, cols=len(laws), subplot_titles=[LAW_NAMES.get(law, law) for law in laws]
    )
    for col, law in enumerate(laws, start=1):
        rows = frame[frame["law"] == law]
        for category, cat_rows in rows.groupby("product_category", sort=True):
            label = f"{category} {names.get((law, category), '')}".strip()
            clients.add_bar(
                x=[quarter_label(d) for d in cat_rows["quarter_start"]],
                y=[as_float(v) for v in cat_rows["clients"]],
                name=f"{LAW_NAMES.get(law, law)} {label}",
                hovertemplate="%{x}: %{y} cliënten<extra>" + label + "</extra>",
                row=1,
                col=col,
            )
    _layout(
        clients,
        "Cliënten per productcategorie per kwartaal",
        barmode="group",
        height=480,
        yaxis_title="Cliënten",
    )
    amounts = go.Figure()
    totals = (
        frame.assign(eur=frame["accepted_amount_eur"].map(lambda v: as_float(v) or 0.0))
        .groupby(["law", "quarter_start"], as_index=False)["eur"]
        .sum()
    )
    for law, rows in totals.groupby("law", sort=True):
        amounts.add_bar(
            x=[quarter_label(d) for d in rows["quarter_start"]],
            y=rows["eur"].tolist(),
            name=LAW_NAMES.get(law, law),
            marker_color=LAW_COLOURS.get(law),
            hovertemplate="%{x}: € %{y:,.2f}<extra>" + LAW_NAMES.get(law, law) + "</extra>",
        )
    _layout(
        amounts,
        "Geaccepteerd gedeclareerd bedrag per kwartaal",
        barmode="stack",
        yaxis_title="Euro",
        yaxis_tickprefix="€ ",
        xaxis_title="Kwartaal (productperiode)",
    )
    return Family(
        "zorggebruik",
        title,
        (
            Chart(
                "zorg-clienten",
                "Cliënten per productcategorie",
                "Unieke cliënten met een "
                "geaccepteerd bedrag > 0 per productcategorie. Een cliënt kan in meer "
                "categorieën voorkomen: tel de categorieën niet op.",
                clients,
            ),
            Chart(
                "zorg-bedrag",
                "Geaccepteerd bedrag",
                "Ingediend min afgewezen (325), "
                "creditregels verrekend, per kwartaal van de productperiode.",
                amounts,
            ),
        ),
    )


# ---------------------------------------------------------------- districts


def _heatmap_cells(
    rows: pd.DataFrame,
    value: str,
    y_names: list[str],
    x_values: list[Any],
    y_key: str,
    x_key: str,
    fmt: Any,
    missing: str,
) -> tuple[list[list[float | None]], list[list[str]]]:
    """z and cell text for a heatmap: a suppressed row says so instead of showing a number, a
    null that is not suppressed says why it is null (`missing`), an absent cell stays blank."""
    z: list[list[float | None]] = [[None] * len(x_values) for _ in y_names]
    text: list[list[str]] = [[""] * len(x_values) for _ in y_names]
    y_index = {name: i for i, name in enumerate(y_names)}
    x_index = {v: j for j, v in enumerate(x_values)}
    for row in rows.to_dict("records"):
        i, j = y_index[row[y_key]], x_index[row[x_key]]
        if row.get("suppressed"):
            text[i][j] = SUPPRESSED
            continue
        number = as_float(row[value])
        z[i][j] = number
        text[i][j] = missing if number is None else fmt(number, row)
    return z, text


def district_rate_chart(data: ReportData) -> Chart | None:
    frame = data.marts.get("care_usage_by_district_quarterly")
    if frame is None or frame.empty:
        return None
    names = district_names(data)
    laws = sorted(frame["law"].unique())
    fig = make_subplots(
        rows=1,
        cols=len(laws),
        shared_yaxes=True,
        subplot_titles=[LAW_NAMES.get(law, law) for law in laws],
    )
    districts = sorted(frame["district_code"].unique(), key=lambda c: (c == "UNKNOWN", c))
    y_names = [names.get(c, c) for c in districts]
    for col, law in enumerate(laws, start=1):
        rows = frame[frame["law"] == law]
        rows = rows.assign(
            district=[names.get(c, c) for c in rows["district_code"]],
            quarter=[quarter_label(d) for d in rows["quarter_start"]],
        )
        quarters = sorted(set(rows["quarter"]))

        def fmt(number: float, row: dict) -> str:
            return f"{dutch_number(number, 2)}"

        z, text = _heatmap_cells(
            rows,
            "clients_per_1000_inhabitants",
            y_names,
            quarters,
            "district",
            "quarter",
            fmt,
            "geen inwonertal",  # a district without CBS population has no rate
        )
        fig.add_heatmap(
            z=z,
            x=quarters,
            y=y_names,
            text=text,
            texttemplate="%{text}",
            colorscale="Blues",
            zmin=0,
            coloraxis="coloraxis",
            hovertemplate="%{y}, %{x}: %{text}<extra>" + LAW_NAMES.get(law, law) + "</extra>",
            row=1,
            col=col,
        )
    _layout(
        fig,
        "Cliënten per 1.000 inwoners per wijk",
        height=120 + 55 * len(y_names),
        coloraxis={"colorscale": "Blues", "colorbar": {"title": "per 1.000"}},
    )
    fig.update_yaxes(autorange="reversed")
    return Chart(
        "wijk-clienten-per-1000",
        "Cliënten per 1.000 inwoners per wijk",
        "Cliënten met zorg in het kwartaal per 1.000 inwoners van de wijk (CBS "
        "Kerncijfers wijken en buurten). 'onderdrukt': 1 tot 4 cliënten, of de cel die "
        "anders uit het gemeentetotaal terug te rekenen is. Wijk onbekend: geen "
        "toewijzing (301) of adres niet gevonden.",
        fig,
    )


def ses_chart(data: ReportData) -> Chart | None:
    frame = data.marts.get("ses_scores")
    if frame is None or frame.empty:
        return None
    latest_year = max(frame["year"])
    latest = frame[frame["year"] == latest_year].sort_values("region_code")
    baseline_year = next((y for y in latest["baseline_year"] if y is not None), None)
    x = [f"{r.region_name} ({r.region_code})" for r in latest.itertuples()]
    fig = go.Figure()
    base = [as_float(v) for v in latest["baseline_total_score"]]
    now = [as_float(v) for v in latest["total_score"]]
    if baseline_year is not None and baseline_year != latest_year:
        fig.add_bar(
            x=x,
            y=base,
            name=f"Basisjaar {baseline_year}",
            marker_color="#9bb7c9",
            text=[SECRET if v is None else dutch_number(v, 3) for v in base],
            textposition="outside",
        )
    change = [as_float(v) for v in latest["change_vs_baseline"]]
    fig.add_bar(
        x=x,
        y=now,
        name=str(latest_year),
        marker_color="#1f6f8b",
        text=[SECRET if v is None else dutch_number(v, 3) for v in now],
        textposition="outside",
        customdata=[SECRET if c is None else f"{c:+.3f}".replace(".", ",") for c in change],
        hovertemplate="%{x}: %{y:.3f} (verschil met basisjaar %{customdata})<extra></extra>",
    )
    _layout(
        fig,
        f"SES-WOA-score per wijk, {latest_year} tegen basisjaar {baseline_year}",
        barmode="group",
        yaxis_title="SES-WOA totaalscore (0 = landelijk gemiddelde)",
    )
    return Chart(
        "ses-woa",
        "SES-WOA per wijk tegen het basisjaar",
        "Sociaal-economische "
        "status (welvaart, opleiding, arbeidsverleden) van CBS; 0 is het landelijk "
        "gemiddelde. 'geheim (CBS)': door CBS niet gepubliceerd.",
        fig,
    )


def district_charts(data: ReportData) -> Family:
    charts = tuple(c for c in (district_rate_chart(data), ses_chart(data)) if c is not None)
    return Family(
        "wijken",
        "Wijken: zorggebruik per 1.000 inwoners en sociaal-economische status",
        charts,
        None if charts else "Geen wijkgegevens gepubliceerd.",
    )


# ---------------------------------------------------------------- procedure times


def procedure_charts(data: ReportData) -> Family:
    frame = data.marts.get("procedure_times_quarterly")
    norms = data.labels.get("procedure_norms")
    title = "Procedures: doorlooptijden tegen de wettelijke termijnen"
    if frame is None or frame.empty:
        return Family("procedures", title, (), "Geen gegevens uit het zaaksysteem gepubliceerd.")
    if norms is None or norms.empty:
        return Family(
            "procedures",
            title,
            (),
            "De wettelijke termijnen (seed procedure_norms) ontbreken in het schema reference.",
        )
    names = district_names(data)
    charts = []
    for norm in norms.sort_values(["law", "step"], ascending=[False, False]).itertuples():
        rows = frame[frame["law"] == norm.law]
        if rows.empty or norm.step not in STEP_COLUMNS:
            continue
        median_col, pct_col = STEP_COLUMNS[norm.step]
        rows = rows.assign(
            district=rows["district_code"].map(lambda c: names.get(c, c)),
            quarter=rows["quarter_start"].map(quarter_label),
        )
        districts = sorted(set(rows["district_code"]), key=lambda c: (c == "UNKNOWN", c))
        y_names = [names.get(c, c) for c in districts]
        quarters = sorted(set(rows["quarter"]))

        def fmt(number: float, row: dict, pct_col: str = pct_col) -> str:
            pct = as_float(row[pct_col])
            within = "" if pct is None else f"<br>{dutch_number(pct, 0)}% op tijd"
            return f"{dutch_number(number, 1)} d{within}"

        z, text = _heatmap_cells(
            rows, median_col, y_names, quarters, "district", "quarter", fmt, "nog geen afgeronde"
        )
        norm_days = float(norm.norm_days)
        fig = go.Figure(
            go.Heatmap(
                z=z,
                x=quarters,
                y=y_names,
                text=text,
                texttemplate="%{text}",
                zmin=0,
                zmax=2 * norm_days,
                zmid=norm_days,
                colorscale=[[0, "#2a9d5c"], [0.5, "#f4f1de"], [1, "#c0392b"]],
                colorbar={"title": "dagen"},
                hovertemplate="%{y}, %{x}: %{text}<extra></extra>",
            )
        )
        law_name = LAW_NAMES.get(norm.law, norm.law)
        step = STEP_NAMES.get(norm.step, norm.step)
        _layout(
            fig,
            f"{law_name}: mediaan dagen {step} (termijn {norm.norm_days} dagen)",
            height=140 + 55 * len(y_names),
            xaxis_title="Kwartaal van de start",
            legend=None,
        )
        fig.update_yaxes(autorange="reversed")
        charts.append(
            Chart(
                f"procedure-{norm.law}-{norm.step.replace('_', '-')}",
                f"{law_name}: {step}",
                f"Mediaan kalenderdagen en het aandeel binnen de termijn van {norm.norm_days} "
                f"dagen ({norm.legal_basis}). Groen: sneller dan de termijn, rood: trager. "
                "'onderdrukt': 1 tot 4 zaken in de cel, of de aanvullend onderdrukte cel.",
                fig,
            )
        )
    return Family(
        "procedures",
        title,
        tuple(charts),
        None if charts else "Geen procedures met een wettelijke termijn.",
    )


# ---------------------------------------------------------------- benefits


def benefit_charts(data: ReportData) -> Family:
    frame = data.marts.get("benefit_recipients")
    title = "Uitkeringen: ontvangers per 1.000 inwoners per wijk"
    if frame is None or frame.empty:
        return Family("uitkeringen", title, (), "Geen uitkeringsgegevens gepubliceerd.")
    names = district_names(data)
    charts = []
    for source, rows in sorted(frame.groupby("source"), key=lambda kv: kv[0] != "municipality"):
        latest = max(rows["period_start"])
        rows = rows[rows["period_start"] == latest]
        rows = rows.assign(
            district=[names.get(c, c) for c in rows["district_code"]],
            benefit=[BENEFIT_NAMES.get(b, b) for b in rows["benefit_type"]],
        )
        districts = sorted(set(rows["district_code"]))
        y_names = [names.get(c, c) for c in districts]
        benefits = [BENEFIT_NAMES.get(b, b) for b in sorted(set(rows["benefit_type"]))]

        def fmt(number: float, row: dict) -> str:
            count = row["recipients"]
            return f"{dutch_number(number, 1)}<br>({count})"

        z, text = _heatmap_cells(
            rows,
            "recipients_per_1000_inhabitants",
            y_names,
            benefits,
            "district",
            "benefit",
            fmt,
            SECRET if source == "cbs" else "geen inwonertal",
        )
        period = (
            month_label(latest) if rows["period_type"].iloc[0] == "month" else quarter_label(latest)
        )
        fig = go.Figure(
            go.Heatmap(
                z=z,
                x=benefits,
                y=y_names,
                text=text,
                texttemplate="%{text}",
                colorscale="Purples",
                zmin=0,
                colorbar={"title": "per 1.000"},
                hovertemplate="%{y}, %{x}: %{text}<extra></extra>",
            )
        )
        source_name = SOURCE_NAMES.get(source, source)
        _layout(
            fig,
            f"Uitkeringsontvangers per 1.000 inwoners, {period} ({source_name})",
            height=140 + 55 * len(y_names),
        )
        fig.update_yaxes(autorange="reversed")
        charts.append(
            Chart(
                f"uitkeringen-{source}",
                f"Uitkeringen ({source_name})",
                "Per cel: ontvangers per 1.000 inwoners en (tussen haakjes) het aantal. "
                "De twee bronnen tellen verschillende regelingen: tel ze niet op. "
                "'onderdrukt': 1 tot 4 ontvangers, of de aanvullend onderdrukte cel.",
                fig,
            )
        )
    return Family("uitkeringen", title, tuple(charts))


# ---------------------------------------------------------------- subsidies


def subsidy_charts(data: ReportData) -> Family:
    frame = data.marts.get("subsidies_by_theme_year")
    title = "Subsidies per thema"
    if frame is None or frame.empty:
        return Family("subsidies", title, (), "Geen subsidiegegevens gepubliceerd.")
    fig = go.Figure()
    x = [f"{r.theme} {r.subsidy_year}" for r in frame.itertuples()]
    for column, label, colour in (
        ("requested_eur", "Aangevraagd", "#b8c4ce"),
        ("granted_eur", "Verleend", "#1f6f8b"),
        ("settled_eur", "Vastgesteld", "#2a9d5c"),
    ):
        values = [as_float(v) for v in frame[column]]
        fig.add_bar(
            x=x,
            y=values,
            name=label,
            marker_color=colour,
            text=["nog niet vastgesteld" if v is None else "" for v in values],
            textposition="outside",
            hovertemplate="%{x}: € %{y:,.2f}<extra>" + label + "</extra>",
        )
    _layout(
        fig,
        "Subsidies: aangevraagd, verleend en vastgesteld per thema en jaar",
        barmode="group",
        yaxis_title="Euro",
        yaxis_tickprefix="€ ",
    )
    return Family(
        "subsidies",
        title,
        (
            Chart(
                "subsidies-thema",
                "Subsidies per thema",
                "Bedragen per subsidiejaar en thema uit het subsidieregister.",
                fig,
            ),
        ),
    )


# ---------------------------------------------------------------- budget


def budget_charts(data: ReportData) -> Family:
    frame = data.marts.get("budget_realisation")
    title = "Begrotingsrealisatie"
    if frame is None:
        return Family(
            "begroting",
            title,
            (),
            "Begrotingsrealisatie: nog niet beschikbaar "
            "(de mart budget_realisation is nog niet gepubliceerd).",
        )
    if frame.empty:
        return Family(
            "begroting",
            title,
            (),
            "Begrotingsrealisatie: nog niet beschikbaar (geen begrotingsbestand geladen).",
        )
    charts = []
    for (municipality, year), rows in frame.groupby(["municipality_code", "begrotingsjaar"]):
        peildatum = max(rows["peildatum"])
        rows = rows[rows["peildatum"] == peildatum].sort_values("budget_line")
        y = [
            f"{r.budget_line} {r.budget_line_name or ''} ({r.taakveld})".strip()
            for r in rows.itertuples()
        ]
        fig = go.Figure()
        for column, label, colour in (
            ("spent_eur", "Besteed", "#1f6f8b"),
            ("committed_eur", "Verplicht", "#e07a1f"),
            ("available_eur", "Beschikbaar", "#d9e2e8"),
        ):
            fig.add_bar(
                y=y,
                x=[as_float(v) for v in rows[column]],
                name=label,
                orientation="h",
                marker_color=colour,
                hovertemplate="%{y}: € %{x:,.2f}<extra>" + label + "</extra>",
            )
        fig.add_scatter(
            y=y,
            x=[as_float(v) for v in rows["current_budget_eur"]],
            mode="markers",
            name="Actuele begroting",
            marker={"symbol": "line-ns-open", "size": 24, "color": "#222"},
            customdata=[
                "onbekend" if b is None else f"{dutch_number(float(b), 1)}%"
                for b in rows["burn_rate_pct"]
            ],
            hovertemplate="%{y}: begroting € %{x:,.2f}, uitputting %{customdata}<extra></extra>",
        )
        # Care lines: the accepted declarations beside the ledger (claims not yet booked).
        care = rows[rows["declaration_spend_eur"].notna()]
        if not care.empty:
            fig.add_scatter(
                y=[
                    label
                    for label, ok in zip(y, rows["declaration_spend_eur"].notna(), strict=True)
                    if ok
                ],
                x=[as_float(v) for v in care["declaration_spend_eur"]],
                mode="markers",
                name="Gedeclareerd (geaccepteerd)",
                marker={"symbol": "diamond", "size": 11, "color": "#8b1f5c"},
                customdata=[as_float(v) for v in care["difference_eur"]],
                hovertemplate="%{y}: gedeclareerd € %{x:,.2f}, nog niet geboekt "
                "€ %{customdata:,.2f}<extra></extra>",
            )
        _layout(
            fig,
            f"Begrotingsrealisatie {municipality} {year}, peildatum {peildatum:%d-%m-%Y}",
            barmode="stack",
            xaxis_title="Euro",
            xaxis_tickprefix="€ ",
            height=160 + 45 * len(y),
        )
        fig.update_yaxes(autorange="reversed")
        charts.append(
            Chart(
                f"begroting-{municipality}-{year}",
                f"Begroting {year}",
                "Per begrotingspost: besteed, verplicht en nog beschikbaar, tegen "
                "de actuele begroting (streep); bij zorgposten de geaccepteerde declaraties "
                "(ruit), zodat te zien is wat nog niet in het grootboek is geboekt.",
                fig,
            )
        )
    return Family("begroting", title, tuple(charts))


def families(data: ReportData) -> list[Family]:
    """Every KPI family in the order councils read them."""
    return [
        waiting_charts(data),
        care_charts(data),
        district_charts(data),
        procedure_charts(data),
        benefit_charts(data),
        subsidy_charts(data),
        budget_charts(data),
    ]
