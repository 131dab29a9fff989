"""Views of the events in the column styles researchers already work with: GDELT 2.0, ACLED and PLOVER.

The views are plain SQL over the contract tables and the ontology lookups, so they never hold data of their own and
always agree with `events`. They are (re)created with CREATE OR REPLACE whenever the warehouse schema is ensured
(so a warehouse built before they existed gains them) and again after the ontology lookups are loaded, because a
DuckDB view can only be created once the tables it names exist. Everything a view needs that `events` does not
carry (the sentence, the outlet, the region, casualties) is read from the event's reports: its mentions of an event
modality (the ones the rollup counts), the first of which is the earliest article's earliest sentence.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import duckdb

from schema.records import NON_EVENT_MODALITIES

# ACLED codes every unarmed person or group as civilians: civil society, and unarmed political actors.
CIVIL_SECTORS = ("CVL", "REF", "MED", "EDU", "HLH", "HRI", "NGO", "BUS", "REL", "AGR", "ENV", "LAB", "ELI")
POLITICAL_SECTORS = ("OPP", "PTY", "RAD", "MOD")
# ACLED interaction codes (inter1/inter2) and the CAMEO sectors that map to each. 4 (identity militias) has no
# CAMEO sector and is never given; 5 and 6 come from the event, not the sector (see ACLED_SQL); 8 also covers IGOs
# and state forces acting outside their own country.
ACLED_INTER: dict[int, tuple[str, tuple[str, ...]]] = {
    1: ("State forces", ("GOV", "MIL", "COP", "SPY", "JUD", "LEG")),
    2: ("Rebel groups", ("REB", "INS", "SEP")),
    3: ("Political militias", ("UAF", "CRM")),
    4: ("Identity militias", ()),
    5: ("Rioters", ()),
    6: ("Protesters", ()),
    7: ("Civilians", (*CIVIL_SECTORS, *POLITICAL_SECTORS)),
    8: ("External/Other forces", ()),
}
# ACLED's disorder type of each event type (Mob violence, a Riots sub-event type, is political violence).
ACLED_DISORDER: dict[str, str] = {
    "Battles": "Political violence",
    "Explosions/Remote violence": "Political violence",
    "Violence against civilians": "Political violence",
    "Protests": "Demonstrations",
    "Riots": "Demonstrations",
    "Strategic developments": "Strategic developments",
}
# ACLED time_precision: 1 day, 2 week, 3 month. An event dated only by its report ('publication') is placed within
# days of the report but not on a stated day, so 2; a year (or unknown) is coarser than anything ACLED records: NULL.
ACLED_TIME_PRECISION: dict[str, int] = {"day": 1, "week": 2, "publication": 2, "month": 3}


def _literal(value: str | int) -> str:
    return str(value) if isinstance(value, int) else "'" + value.replace("'", "''") + "'"


def _values(rows: list[tuple[str | int, ...]]) -> str:
    return ", ".join("(" + ", ".join(_literal(v) for v in row) + ")" for row in rows)


EVENT_MODALITY = f"m.modality NOT IN ({', '.join(_literal(m) for m in NON_EVENT_MODALITIES)})"
REPORT_ORDER = "a.published_date NULLS LAST, m.article_id, m.sentence_index, m.mention_id"

# Common table expressions every view starts from:
# - reports: an event's mentions that the rollup counts, ranked; report_rank 1 is the first report, place_rank 1 the
#   first report that names the event's own location (admin1 and geo_precision are read from it);
# - report_summary: what all reports together say: casualties (the largest toll any report states, as reports
#   revise a toll upward and repeat it, so it is never summed), whether one is in a lead paragraph, the outlets;
# - actor_info: each actor code split into its CAMEO parts, with a readable name and an ACLED inter code.
COMMON_CTES = f"""
reports AS (
    SELECT m.event_id, m.mention_id, m.article_id, m.source_text, m.target_text, m.verb_text, m.event_date_end,
        m.admin1, m.geo_precision, m.fatalities, m.injured, coalesce(a.url, a.uri) AS uri, a.title, a.outlet,
        a.published_date,
        s.text AS sentence, s.paragraph_index,
        row_number() OVER (PARTITION BY m.event_id ORDER BY {REPORT_ORDER}) AS report_rank,
        row_number() OVER (
            PARTITION BY m.event_id
            ORDER BY (m.location_name IS NOT DISTINCT FROM e.location_name) DESC, {REPORT_ORDER}
        ) AS place_rank
    FROM mentions m
    JOIN events e ON e.event_id = m.event_id
    JOIN articles a ON a.article_id = m.article_id
    LEFT JOIN sentences s ON s.article_id = m.article_id AND s.sentence_index = m.sentence_index
    WHERE {EVENT_MODALITY}
),
report_summary AS (
    SELECT r.event_id,
        max(r.fatalities) AS fatalities,
        max(r.injured) AS injured,
        max(CASE WHEN r.paragraph_index = 0 THEN 1 ELSE 0 END) AS in_lead,
        string_agg(DISTINCT r.outlet, '; ' ORDER BY r.outlet) AS outlets
    FROM reports r
    GROUP BY r.event_id
),
actor_codes AS (
    SELECT DISTINCT x.code FROM (
        SELECT ev.source_actor AS code FROM events ev UNION ALL SELECT ev.target_actor FROM events ev
    ) x
    WHERE x.code IS NOT NULL
),
actor_parts AS (
    SELECT c.code, country.code AS country, country.name AS country_name,
        substr(c.code, 1, 3) IN ('IGO', 'NGO') AS is_org,
        substr(c.code, 1, 3) AS s1, nullif(substr(c.code, 4, 3), '') AS s2,
        nullif(substr(c.code, 7, 3), '') AS s3, nullif(substr(c.code, 10, 3), '') AS s4
    FROM actor_codes c
    LEFT JOIN actors country ON country.kind = 'country' AND country.code = substr(c.code, 1, 3)
),
actor_segments AS (
    SELECT p.*,
        CASE WHEN p.is_org THEN p.s2 END AS known_group,
        CASE WHEN p.is_org THEN p.s1 WHEN p.country IS NOT NULL THEN p.s2 ELSE p.s1 END AS type1,
        CASE WHEN p.is_org OR p.country IS NOT NULL THEN p.s3 ELSE p.s2 END AS type2,
        CASE WHEN p.is_org OR p.country IS NOT NULL THEN p.s4 ELSE p.s3 END AS type3,
        CASE WHEN p.is_org THEN p.s3 WHEN p.country IS NOT NULL THEN p.s2 ELSE p.s1 END AS sector,
        CASE WHEN p.is_org THEN substr(p.code, 1, 6) ELSE p.country END AS top_code,
        nullif(CASE WHEN p.is_org THEN substr(p.code, 7) WHEN p.country IS NOT NULL THEN substr(p.code, 4)
            ELSE p.code END, '') AS sector_code
    FROM actor_parts p
),
acled_inter(sector, inter) AS (
    VALUES {_values([(sector, inter) for inter, (_, sectors) in ACLED_INTER.items() for sector in sectors])}
),
actor_info AS (
    SELECT r.code, r.country, r.known_group, r.type1, r.type2, r.type3, r.top_code, r.sector_code,
        coalesce(whole.name, nullif(concat_ws(' ', coalesce(r.country_name, org.name), sector.name), '')) AS name,
        CASE WHEN r.s1 = 'IGO' THEN 8 WHEN r.s1 = 'NGO' THEN 7
            WHEN r.sector IS NULL AND r.country IS NOT NULL THEN 1 ELSE i.inter END AS inter
    FROM actor_segments r
    LEFT JOIN actors whole ON whole.code = r.code
    LEFT JOIN actors org ON org.code = r.top_code AND org.kind IN ('IGO', 'NGO')
    LEFT JOIN actors sector ON sector.code = r.sector AND sector.kind = 'sector'
    LEFT JOIN acled_inter i ON i.sector = r.sector
)"""

EVIDENCE_JOINS = """
LEFT JOIN reports first ON first.event_id = e.event_id AND first.report_rank = 1
LEFT JOIN reports place ON place.event_id = e.event_id AND place.place_rank = 1
LEFT JOIN report_summary rs ON rs.event_id = e.event_id
LEFT JOIN actor_info src ON src.code = e.source_actor
LEFT JOIN actor_info tgt ON tgt.code = e.target_actor"""


def _gdelt_actor(n: int, alias: str, code_column: str) -> str:
    return f"""
    e.{code_column} AS Actor{n}Code, upper({alias}.name) AS Actor{n}Name, {alias}.country AS Actor{n}CountryCode,
    {alias}.known_group AS Actor{n}KnownGroupCode, CAST(NULL AS VARCHAR) AS Actor{n}EthnicCode,
    CAST(NULL AS VARCHAR) AS Actor{n}Religion1Code, CAST(NULL AS VARCHAR) AS Actor{n}Religion2Code,
    {alias}.type1 AS Actor{n}Type1Code, {alias}.type2 AS Actor{n}Type2Code, {alias}.type3 AS Actor{n}Type3Code,"""


def _gdelt_empty_geo(prefix: str) -> str:
    return f"""
    CAST(NULL AS INTEGER) AS {prefix}_Type, CAST(NULL AS VARCHAR) AS {prefix}_FullName,
    CAST(NULL AS VARCHAR) AS {prefix}_CountryCode, CAST(NULL AS VARCHAR) AS {prefix}_ADM1Code,
    CAST(NULL AS VARCHAR) AS {prefix}_ADM2Code, CAST(NULL AS DOUBLE) AS {prefix}_Lat,
    CAST(NULL AS DOUBLE) AS {prefix}_Long, CAST(NULL AS VARCHAR) AS {prefix}_FeatureID,"""


GDELT_SQL = f"""
WITH {COMMON_CTES}
SELECT
    e.event_id AS GLOBALEVENTID,
    CAST(year(e.event_date) * 10000 + month(e.event_date) * 100 + day(e.event_date) AS INTEGER) AS SQLDATE,
    CAST(year(e.event_date) * 100 + month(e.event_date) AS INTEGER) AS MonthYear,
    CAST(year(e.event_date) AS INTEGER) AS Year,
    round(year(e.event_date) + (month(e.event_date) * 30 + day(e.event_date)) / 365, 4) AS FractionDate,
    {_gdelt_actor(1, "src", "source_actor")}
    {_gdelt_actor(2, "tgt", "target_actor")}
    CAST(rs.in_lead AS INTEGER) AS IsRootEvent,
    e.event_code AS EventCode,
    substr(e.event_code, 1, 3) AS EventBaseCode,
    e.root_code AS EventRootCode,
    CAST(e.quad_class AS INTEGER) AS QuadClass,
    e.goldstein AS GoldsteinScale,
    CAST(e.num_mentions AS INTEGER) AS NumMentions,
    CAST(e.num_sources AS INTEGER) AS NumSources,
    CAST(e.num_articles AS INTEGER) AS NumArticles,
    CAST(NULL AS DOUBLE) AS AvgTone,
    {_gdelt_empty_geo("Actor1Geo")}
    {_gdelt_empty_geo("Actor2Geo")}
    CAST(CASE
        WHEN e.location_name IS NULL AND e.latitude IS NULL THEN 0
        WHEN place.geo_precision = 3 THEN 1
        WHEN place.geo_precision = 2 THEN CASE WHEN e.country_code = 'USA' THEN 2 ELSE 5 END
        WHEN place.geo_precision = 1 THEN CASE WHEN e.country_code = 'USA' THEN 3 ELSE 4 END
    END AS INTEGER) AS ActionGeo_Type,
    nullif(concat_ws(', ', e.location_name,
        CASE WHEN place.admin1 IS DISTINCT FROM e.location_name THEN place.admin1 END,
        CASE WHEN country.name IS DISTINCT FROM e.location_name THEN country.name END), '') AS ActionGeo_FullName,
    e.country_code AS ActionGeo_CountryCode,
    place.admin1 AS ActionGeo_ADM1Code,
    CAST(NULL AS VARCHAR) AS ActionGeo_ADM2Code,
    e.latitude AS ActionGeo_Lat,
    e.longitude AS ActionGeo_Long,
    CAST(NULL AS VARCHAR) AS ActionGeo_FeatureID,
    CAST(year(fa.published_date) * 10000 + month(fa.published_date) * 100 + day(fa.published_date) AS BIGINT)
        * 1000000 AS DATEADDED,
    coalesce(fa.url, fa.uri) AS SOURCEURL
FROM events e
{EVIDENCE_JOINS}
LEFT JOIN actors country ON country.kind = 'country' AND country.code = e.country_code
LEFT JOIN articles fa ON fa.article_id = e.first_article_id
"""

_DISORDER_CASE = " ".join(
    f"WHEN x.acled_event_type = {_literal(k)} THEN {_literal(v)}" for k, v in ACLED_DISORDER.items()
)
_TIME_PRECISION_CASE = " ".join(f"WHEN {_literal(k)} THEN {v}" for k, v in ACLED_TIME_PRECISION.items())

# inter1/inter2: the sector's code (ACLED_INTER), with two ACLED rules on top: state forces acting outside their own
# country are external forces (8); the unarmed actor of a protest is protesters (6), of a riot rioters (5), and the
# target of excessive force against protesters is protesters.
ACLED_SQL = f"""
WITH {COMMON_CTES},
acled AS (
    SELECT e.event_id, e.event_date, e.date_precision, e.source_actor, e.target_actor, e.acled_event_type,
        e.acled_sub_event_type, e.location_name, e.country_code, e.latitude, e.longitude,
        first.sentence, place.admin1, place.geo_precision, rs.fatalities, rs.outlets,
        src.name AS src_name, tgt.name AS tgt_name,
        CASE WHEN src.inter = 1 AND src.country IS DISTINCT FROM e.country_code AND e.country_code IS NOT NULL
            THEN 8 ELSE src.inter END AS src_inter,
        CASE WHEN tgt.inter = 1 AND tgt.country IS DISTINCT FROM e.country_code AND e.country_code IS NOT NULL
            THEN 8 ELSE tgt.inter END AS tgt_inter
    FROM events e
    {EVIDENCE_JOINS}
    WHERE e.acled_event_type IS NOT NULL
),
acled_inter_codes AS (
    SELECT x.*,
        CASE
            WHEN x.acled_event_type = 'Protests' AND x.acled_sub_event_type <> 'Excessive force against protesters'
                AND coalesce(x.src_inter, 7) = 7 THEN 6
            WHEN x.acled_event_type = 'Riots' AND coalesce(x.src_inter, 7) = 7 THEN 5
            ELSE x.src_inter
        END AS inter1,
        CASE
            WHEN x.acled_sub_event_type = 'Excessive force against protesters' AND x.target_actor IS NOT NULL
                AND coalesce(x.tgt_inter, 7) = 7 THEN 6
            ELSE x.tgt_inter
        END AS inter2
    FROM acled x
)
SELECT
    coalesce(x.country_code, '') || x.event_id AS event_id_cnty,
    x.event_date,
    CAST(year(x.event_date) AS INTEGER) AS year,
    CAST(CASE x.date_precision {_TIME_PRECISION_CASE} END AS INTEGER) AS time_precision,
    CASE WHEN x.acled_sub_event_type = 'Excessive force against protesters' THEN 'Political violence; Demonstrations'
        WHEN x.acled_sub_event_type = 'Mob violence' THEN 'Political violence'
        {_DISORDER_CASE} END AS disorder_type,
    x.acled_event_type AS event_type,
    x.acled_sub_event_type AS sub_event_type,
    CASE WHEN x.source_actor IS NOT NULL THEN coalesce(x.src_name || ' (' || x.source_actor || ')', x.source_actor)
        END AS actor1,
    CAST(x.inter1 AS INTEGER) AS inter1,
    CASE WHEN x.target_actor IS NOT NULL THEN coalesce(x.tgt_name || ' (' || x.target_actor || ')', x.target_actor)
        END AS actor2,
    CAST(x.inter2 AS INTEGER) AS inter2,
    CAST(CASE WHEN x.inter1 IS NULL THEN x.inter2 * 10 WHEN x.inter2 IS NULL THEN x.inter1 * 10
        ELSE least(x.inter1, x.inter2) * 10 + greatest(x.inter1, x.inter2) END AS INTEGER) AS interaction,
    CASE WHEN x.inter2 = 7 AND x.acled_event_type IN ('Battles', 'Explosions/Remote violence',
        'Violence against civilians') THEN 'Civilian targeting' END AS civilian_targeting,
    x.country_code AS iso,
    country.name AS country,
    x.admin1,
    x.location_name AS location,
    x.latitude,
    x.longitude,
    CAST(x.geo_precision AS INTEGER) AS geo_precision,
    x.outlets AS source,
    x.sentence AS notes,
    CAST(coalesce(x.fatalities, 0) AS INTEGER) AS fatalities,
    x.event_id
FROM acled_inter_codes x
LEFT JOIN actors country ON country.kind = 'country' AND country.code = x.country_code
"""

PLOVER_SQL = f"""
WITH {COMMON_CTES}
SELECT
    e.event_id AS id,
    e.event_date AS date,
    e.date_precision,
    first.event_date_end AS enddate,
    e.plover_type AS event_type,
    c.plover_mode AS mode,
    e.source_actor, src.top_code AS source_code, src.sector_code AS source_sector, src.name AS source_name,
    first.source_text,
    e.target_actor AS recipient_actor, tgt.top_code AS recipient_code, tgt.sector_code AS recipient_sector,
    tgt.name AS recipient_name, first.target_text AS recipient_text,
    first.verb_text AS event_text,
    CAST(e.quad_class AS INTEGER) AS quad_code,
    e.goldstein AS event_scale,
    e.location_name AS event_loc_name,
    place.admin1 AS event_loc_admin1,
    e.country_code AS event_loc_cc3,
    e.latitude AS event_loc_latitude,
    e.longitude AS event_loc_longitude,
    CAST(place.geo_precision AS INTEGER) AS event_loc_precision,
    CAST(rs.fatalities AS INTEGER) AS dead,
    CAST(rs.injured AS INTEGER) AS injured,
    first.sentence AS text,
    first.uri AS url,
    first.title,
    first.outlet AS publication,
    e.event_code AS cameo_code,
    e.root_code AS cameo_root
FROM events e
{EVIDENCE_JOINS}
LEFT JOIN cameo_codes c ON c.code = e.event_code
WHERE e.plover_type IS NOT NULL
"""


@dataclass(frozen=True)
class View:
    name: str
    sql: str
    comment: str
    columns: dict[str, str] = field(default_factory=dict)
    # Tables the SQL names; the ontology lookups only exist once load_ontology has run.
    requires: frozenset[str] = frozenset({"events", "mentions", "articles", "sentences", "actors"})


def _inter_text() -> str:
    return "; ".join(
        f"{code} {name}" + (f" ({', '.join(sectors)})" if sectors else "")
        for code, (name, sectors) in ACLED_INTER.items()
    )


VIEWS: tuple[View, ...] = (
    View(
        "events_gdelt",
        GDELT_SQL,
        "Events in GDELT 2.0 event-table columns (all 61, in GDELT order), one row per events row. Codes are "
        "strings. GLOBALEVENTID is eventcoder's event_id (a hex string, not a number). Country codes are ISO 3166 "
        "alpha-3 everywhere: GDELT uses CAMEO country codes in actor fields and FIPS 10-4 in geo fields. "
        "ActionGeo_ADM1Code holds the region name, not a FIPS ADM1 code. AvgTone is NULL: eventcoder does not "
        "measure tone. Ethnic and religion codes, Actor1Geo_*/Actor2Geo_*, ADM2 codes and FeatureIDs are NULL (not "
        "coded). IsRootEvent is 1 when a report has the event in an article's lead paragraph. DATEADDED is the first "
        "reporting article's publication date as YYYYMMDD000000 (no capture time is kept); SOURCEURL that "
        "article's URL, or its input file path when it has none.",
        {
            "GLOBALEVENTID": "events.event_id (hex string); join mentions.event_id to it.",
            "Actor1CountryCode": "ISO 3166 alpha-3 (GDELT: CAMEO country code; the same for most countries).",
            "Actor2CountryCode": "ISO 3166 alpha-3 (GDELT: CAMEO country code; the same for most countries).",
            "AvgTone": "Always NULL: eventcoder does not measure tone.",
            "ActionGeo_Type": "0 no location, 1 country, 2 US state, 3 US city, 4 world city, 5 world state (region).",
            "ActionGeo_CountryCode": "ISO 3166 alpha-3, not GDELT's FIPS 10-4.",
            "ActionGeo_ADM1Code": "Region (state, province) name, not a FIPS ADM1 code.",
            "DATEADDED": "First reporting article's publication date, YYYYMMDD000000.",
            "SOURCEURL": "URL of the first reporting article (articles.url), else its input file path (articles.uri).",
        },
    ),
    View(
        "events_acled",
        ACLED_SQL,
        "Events whose CAMEO code maps to an ACLED event type (cameo_codes.acled_event_type), in ACLED export "
        "columns. actor1/actor2: readable name and CAMEO code. inter1/inter2 from the actor's CAMEO sector: "
        f"{_inter_text()}; a bare country code is the state (1), IGOs are 8, NGOs 7, state forces acting outside "
        "their own country 8, the unarmed actor of a protest 6 and of a riot 5; identity militias (4) have no CAMEO "
        "sector and are never given. interaction = the two codes, lower first (sole actor: code then 0). iso is the "
        "ISO alpha-3 code (ACLED: ISO numeric). notes is the first report's sentence, source the outlets of all "
        "reports. region, admin2, admin3, assoc_actor_*, source_scale, tags and timestamp are not coded.",
        {
            "event_id_cnty": "Location's ISO alpha-3 followed by events.event_id.",
            "time_precision": "1 day, 2 week (or dated only by the report), 3 month; NULL for year or unknown.",
            "inter1": f"ACLED actor type of actor1 from its CAMEO sector: {_inter_text()}.",
            "inter2": "ACLED actor type of actor2, as inter1.",
            "interaction": "inter1 and inter2, lower first, as a two-digit number; a sole actor's code then 0.",
            "iso": "ISO 3166 alpha-3 of the location (ACLED uses the ISO numeric code).",
            "geo_precision": "1 town, 2 region, 3 country.",
            "fatalities": "Largest death toll any report states (tolls are revised upward, never summed); 0 when "
            "none states a number (ACLED's convention).",
            "notes": "The first report's sentence, verbatim.",
            "source": "Outlets of the reporting articles, '; '-separated; NULL when no article names its outlet.",
            "event_id": "events.event_id, to join back to mentions.",
        },
    ),
    View(
        "events_plover",
        PLOVER_SQL,
        "Events with a PLOVER event type, in PLOVER JSON field names flattened to columns (source_*, recipient_*, "
        "event_loc_*), with the CAMEO code kept alongside (cameo_code). event_type and mode come from the CAMEO code "
        "(cameo_codes.plover_type, plover_mode); context is not coded. quad_code is the CAMEO quad class, "
        "event_scale the Goldstein score. Texts (source_text, recipient_text, event_text, text) are those of the "
        "first report; dead and injured the largest numbers any report states.",
        {
            "source_code": "Country ISO alpha-3, or the IGO/NGO code (IGOUNO).",
            "source_sector": "Sector part of the CAMEO code (GOV, MIL); NULL for a bare country.",
            "mode": "PLOVER mode of the CAMEO code, where the ontology gives one.",
            "quad_code": "CAMEO quad class: 1 verbal cooperation .. 4 material conflict.",
            "event_loc_precision": "1 town, 2 region, 3 country.",
            "cameo_code": "CAMEO event code (string with leading zeros).",
        },
        frozenset({"events", "mentions", "articles", "sentences", "actors", "cameo_codes"}),
    ),
)


def create_views(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Create or replace every view whose tables exist; returns the names created. Views whose lookups are not yet
    loaded are skipped here and created when load_ontology calls this again."""
    tables = {row[0] for row in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    created = []
    for view in VIEWS:
        if not view.requires <= tables:
            continue
        con.execute(f"CREATE OR REPLACE VIEW {view.name} AS {view.sql}")
        con.execute(f"COMMENT ON VIEW {view.name} IS {_literal(view.comment)}")
        for column, text in view.columns.items():
            con.execute(f'COMMENT ON COLUMN {view.name}."{column}" IS {_literal(text)}')
        created.append(view.name)
    return created
