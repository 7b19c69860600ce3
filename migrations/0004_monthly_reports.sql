-- The monthly report ("rapport mensuel"): the trades and construction regions a line names (kept
-- as data, with their French and English labels), one report per employer and month, its versions
-- (draft, transmitted, superseded by a correction) and each version's lines.
CREATE TABLE IF NOT EXISTS trades (
  code      TEXT PRIMARY KEY,
  label_fr  TEXT NOT NULL,
  label_en  TEXT NOT NULL,
  position  INTEGER NOT NULL
);
INSERT OR IGNORE INTO trades (code, label_fr, label_en, position) VALUES
  ('briqueteur_macon', 'Briqueteur-maçon', 'Bricklayer-mason', 1),
  ('calorifugeur', 'Calorifugeur', 'Heat and frost insulator', 2),
  ('carreleur', 'Carreleur', 'Tile setter', 3),
  ('charpentier_menuisier', 'Charpentier-menuisier', 'Carpenter-joiner', 4),
  ('chaudronnier', 'Chaudronnier', 'Boilermaker', 5),
  ('cimentier_applicateur', 'Cimentier-applicateur', 'Cement mason', 6),
  ('couvreur', 'Couvreur', 'Roofer', 7),
  ('electricien', 'Électricien', 'Electrician', 8),
  ('ferblantier', 'Ferblantier', 'Sheet metal worker', 9),
  ('ferrailleur', 'Ferrailleur', 'Reinforcing steel erector', 10),
  ('frigoriste', 'Frigoriste', 'Refrigeration mechanic', 11),
  ('grutier', 'Grutier', 'Crane operator', 12),
  ('mecanicien_ascenseur', 'Mécanicien d''ascenseur', 'Elevator mechanic', 13),
  ('mecanicien_chantier', 'Mécanicien de chantier', 'Millwright', 14),
  ('mecanicien_machines_lourdes', 'Mécanicien de machines lourdes', 'Heavy equipment mechanic', 15),
  ('monteur_assembleur', 'Monteur-assembleur', 'Ironworker', 16),
  ('monteur_mecanicien_vitrier', 'Monteur-mécanicien (vitrier)', 'Glazier', 17),
  ('operateur_equipement_lourd', 'Opérateur d''équipement lourd', 'Heavy equipment operator', 18),
  ('operateur_pelles', 'Opérateur de pelles', 'Shovel operator', 19),
  ('peintre', 'Peintre', 'Painter', 20),
  ('platrier', 'Plâtrier', 'Plasterer', 21),
  ('poseur_revetements_souples', 'Poseur de revêtements souples', 'Resilient floor layer', 22),
  ('poseur_systemes_interieurs', 'Poseur de systèmes intérieurs', 'Interior systems installer', 23),
  ('serrurier_batiment', 'Serrurier de bâtiment', 'Architectural metal worker', 24),
  ('tuyauteur', 'Tuyauteur', 'Pipefitter', 25),
  ('manoeuvre', 'Manœuvre', 'Labourer', 26),
  ('manoeuvre_specialise', 'Manœuvre spécialisé', 'Specialized labourer', 27),
  ('monteur_lignes', 'Monteur de lignes', 'Lineman', 28),
  ('boutefeu', 'Boutefeu-foreur', 'Blaster-driller', 29),
  ('conducteur_camion', 'Conducteur de camion', 'Truck driver', 30);

CREATE TABLE IF NOT EXISTS construction_regions (
  code      TEXT PRIMARY KEY,
  label_fr  TEXT NOT NULL,
  label_en  TEXT NOT NULL,
  position  INTEGER NOT NULL
);
INSERT OR IGNORE INTO construction_regions (code, label_fr, label_en, position) VALUES
  ('abitibi_temiscamingue', 'Abitibi-Témiscamingue', 'Abitibi-Témiscamingue', 1),
  ('bas_saint_laurent_gaspesie', 'Bas-Saint-Laurent–Gaspésie', 'Bas-Saint-Laurent–Gaspésie', 2),
  ('cote_nord', 'Côte-Nord', 'Côte-Nord', 3),
  ('estrie', 'Estrie', 'Estrie', 4),
  ('iles_de_la_madeleine', 'Îles-de-la-Madeleine', 'Magdalen Islands', 5),
  ('mauricie_bois_francs', 'Mauricie–Bois-Francs', 'Mauricie–Bois-Francs', 6),
  ('montreal', 'Montréal', 'Montréal', 7),
  ('outaouais', 'Outaouais', 'Outaouais', 8),
  ('quebec', 'Québec', 'Québec', 9),
  ('saguenay_lac_saint_jean', 'Saguenay–Lac-Saint-Jean', 'Saguenay–Lac-Saint-Jean', 10),
  ('baie_james', 'Baie-James', 'James Bay', 11);

CREATE TABLE IF NOT EXISTS monthly_reports (
  id           TEXT PRIMARY KEY,
  employer_id  TEXT NOT NULL REFERENCES organisations(id),
  month        TEXT NOT NULL CHECK (month GLOB '[2][0-9][0-9][0-9]-[01][0-9]'),
  created_at   INTEGER NOT NULL,
  transmitted_at INTEGER,
  UNIQUE (employer_id, month)
);

CREATE TABLE IF NOT EXISTS monthly_report_versions (
  id                TEXT PRIMARY KEY,
  report_id         TEXT NOT NULL REFERENCES monthly_reports(id),
  number            INTEGER NOT NULL CHECK (number >= 1),
  status            TEXT NOT NULL CHECK (status IN ('draft', 'transmitted', 'superseded')),
  no_activity       INTEGER NOT NULL DEFAULT 0 CHECK (no_activity IN (0, 1)),
  line_count        INTEGER NOT NULL DEFAULT 0,
  regular_quarters  INTEGER NOT NULL DEFAULT 0,
  overtime_quarters INTEGER NOT NULL DEFAULT 0,
  gross_cents       INTEGER NOT NULL DEFAULT 0,
  receipt_number    TEXT UNIQUE,
  transmitted_at    INTEGER,
  transmitted_by    TEXT REFERENCES users(id),
  transmitted_by_name TEXT,
  superseded_at     INTEGER,
  created_by        TEXT REFERENCES users(id),
  created_at        INTEGER NOT NULL,
  updated_by        TEXT REFERENCES users(id),
  updated_at        INTEGER NOT NULL,
  idempotency_key   TEXT,
  UNIQUE (report_id, number),
  UNIQUE (report_id, idempotency_key)
);
CREATE UNIQUE INDEX IF NOT EXISTS monthly_report_versions_one_draft ON monthly_report_versions (report_id) WHERE status = 'draft';
CREATE UNIQUE INDEX IF NOT EXISTS monthly_report_versions_one_transmitted ON monthly_report_versions (report_id) WHERE status = 'transmitted';

CREATE TABLE IF NOT EXISTS monthly_report_lines (
  version_id        TEXT NOT NULL REFERENCES monthly_report_versions(id),
  line              INTEGER NOT NULL,
  worker_name       TEXT NOT NULL,
  worker_id         TEXT NOT NULL,
  trade             TEXT NOT NULL REFERENCES trades(code),
  region            TEXT NOT NULL REFERENCES construction_regions(code),
  regular_quarters  INTEGER NOT NULL CHECK (regular_quarters BETWEEN 0 AND 1200),
  overtime_quarters INTEGER NOT NULL CHECK (overtime_quarters BETWEEN 0 AND 1200),
  gross_cents       INTEGER NOT NULL CHECK (gross_cents BETWEEN 0 AND 1000000000),
  PRIMARY KEY (version_id, line)
) WITHOUT ROWID;
