"""Schema migrations, applied in order; PRAGMA user_version records how far a file has come.

Append new steps; never edit a released one (a database in the field has run it).
"""
from __future__ import annotations

MIGRATIONS: tuple[str, ...] = (
    # 1: sources, items with their tags, incidents, corrections, full-text index.
    """
    CREATE TABLE sources (
        name TEXT PRIMARY KEY, url TEXT NOT NULL, kind TEXT NOT NULL, enabled INTEGER NOT NULL,
        status TEXT NOT NULL DEFAULT 'never',      -- ok | unchanged | failed | never | skipped
        last_attempt TEXT, last_success TEXT, last_error TEXT,
        consecutive_failures INTEGER NOT NULL DEFAULT 0,
        items_last_run INTEGER NOT NULL DEFAULT 0, items_total INTEGER NOT NULL DEFAULT 0,
        etag TEXT, last_modified TEXT, next_due TEXT
    );
    CREATE TABLE items (
        id INTEGER PRIMARY KEY,
        url TEXT NOT NULL UNIQUE,                  -- canonical URL: the item's identity
        link TEXT NOT NULL,                        -- the URL as the source published it
        title TEXT NOT NULL, summary TEXT NOT NULL DEFAULT '', body TEXT NOT NULL DEFAULT '',
        published TEXT NOT NULL, date_source TEXT NOT NULL DEFAULT 'feed',
        source TEXT NOT NULL, guid TEXT, author TEXT NOT NULL DEFAULT '',
        first_seen TEXT NOT NULL, last_seen TEXT NOT NULL, content_hash TEXT NOT NULL,
        companies TEXT NOT NULL DEFAULT '[]', violations TEXT NOT NULL DEFAULT '[]',
        action TEXT, roles TEXT NOT NULL DEFAULT '{}', evidence TEXT NOT NULL DEFAULT '{}',
        incident_id TEXT, tagged_at TEXT
    );
    CREATE INDEX items_published ON items(published);
    CREATE INDEX items_incident ON items(incident_id, published);
    CREATE INDEX items_source ON items(source, published);
    CREATE INDEX items_untagged ON items(tagged_at) WHERE tagged_at IS NULL;
    CREATE TABLE item_companies (
        item_id INTEGER NOT NULL REFERENCES items(id) ON DELETE CASCADE,
        company TEXT NOT NULL, role TEXT NOT NULL DEFAULT 'party',
        PRIMARY KEY (item_id, company)
    ) WITHOUT ROWID;
    CREATE INDEX item_companies_company ON item_companies(company, item_id);
    CREATE TABLE item_violations (
        item_id INTEGER NOT NULL REFERENCES items(id) ON DELETE CASCADE,
        violation TEXT NOT NULL,
        PRIMARY KEY (item_id, violation)
    ) WITHOUT ROWID;
    CREATE INDEX item_violations_violation ON item_violations(violation, item_id);
    CREATE TABLE incidents (
        id TEXT PRIMARY KEY, title TEXT NOT NULL, first_date TEXT NOT NULL,
        last_date TEXT NOT NULL, report_count INTEGER NOT NULL, outlet_count INTEGER NOT NULL,
        latest_action TEXT, latest_action_date TEXT,
        companies TEXT NOT NULL DEFAULT '[]',      -- [{"name":..., "role":...}]
        violations TEXT NOT NULL DEFAULT '[]',
        lifecycle TEXT NOT NULL DEFAULT '[]',      -- [{"date","action","item_id","source"}]
        state TEXT NOT NULL DEFAULT '{}'           -- the grouper's memory, for incremental runs
    );
    CREATE INDEX incidents_first_date ON incidents(first_date);
    CREATE TABLE incident_companies (
        incident_id TEXT NOT NULL, company TEXT NOT NULL, role TEXT NOT NULL,
        PRIMARY KEY (incident_id, company)
    ) WITHOUT ROWID;
    CREATE INDEX incident_companies_company ON incident_companies(company, incident_id);
    CREATE TABLE incident_violations (
        incident_id TEXT NOT NULL, violation TEXT NOT NULL,
        PRIMARY KEY (incident_id, violation)
    ) WITHOUT ROWID;
    CREATE INDEX incident_violations_violation ON incident_violations(violation, incident_id);
    -- merged incidents: reports the grouper sends to old_id go to new_id
    CREATE TABLE incident_aliases (
        old_id TEXT PRIMARY KEY, new_id TEXT NOT NULL
    );
    CREATE TABLE overrides (
        -- field: companies | violations | action | incident
        item_id INTEGER NOT NULL, field TEXT NOT NULL,
        value TEXT NOT NULL, who TEXT NOT NULL, at TEXT NOT NULL,
        PRIMARY KEY (item_id, field)
    );
    CREATE TABLE audit_log (
        id INTEGER PRIMARY KEY, at TEXT NOT NULL, who TEXT NOT NULL,
        action TEXT NOT NULL, target TEXT NOT NULL, detail TEXT NOT NULL DEFAULT '{}'
    );
    CREATE TABLE watches (
        name TEXT PRIMARY KEY, filters TEXT NOT NULL, who TEXT NOT NULL, created_at TEXT NOT NULL
    );
    CREATE TABLE runs (
        id INTEGER PRIMARY KEY, started TEXT NOT NULL, finished TEXT, summary TEXT
    );
    CREATE VIRTUAL TABLE items_fts USING fts5(
        title, summary, body, content='items', content_rowid='id', tokenize='unicode61'
    );
    CREATE TRIGGER items_ai AFTER INSERT ON items BEGIN
        INSERT INTO items_fts(rowid, title, summary, body)
        VALUES (new.id, new.title, new.summary, new.body);
    END;
    CREATE TRIGGER items_ad AFTER DELETE ON items BEGIN
        INSERT INTO items_fts(items_fts, rowid, title, summary, body)
        VALUES ('delete', old.id, old.title, old.summary, old.body);
    END;
    CREATE TRIGGER items_au AFTER UPDATE OF title, summary, body ON items BEGIN
        INSERT INTO items_fts(items_fts, rowid, title, summary, body)
        VALUES ('delete', old.id, old.title, old.summary, old.body);
        INSERT INTO items_fts(rowid, title, summary, body)
        VALUES (new.id, new.title, new.summary, new.body);
    END;
    """,
    # 2: "new since yesterday" counts and digests read by first-seen and last-report dates.
    """
    CREATE INDEX items_first_seen ON items(first_seen);
    CREATE INDEX incidents_last_date ON incidents(last_date);
    """,
)
