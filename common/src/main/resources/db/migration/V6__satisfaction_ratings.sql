-- The applicant's satisfaction survey of one dossier (Decision 766/QD-TTg: satisfaction is 18 of 100 points), once
-- the result was returned (status 10), at most once per dossier. Each answer is a level from 1 (very unsatisfied)
-- to 5 (very satisfied), one per question of the national survey (PhieuKhaoSat TraLoi1..11); `satisfied` counts the
-- answers at level 4 or 5, so statistics sum it instead of unnesting arrays.
CREATE TABLE dossier_rating (
    dossier_id uuid        PRIMARY KEY REFERENCES dossier (id),
    client_id  text        NOT NULL,
    channel    text        NOT NULL,
    answers    smallint[]  NOT NULL CHECK (cardinality(answers) BETWEEN 1 AND 11
                                           AND 1 <= ALL (answers) AND 5 >= ALL (answers)),
    satisfied  smallint    NOT NULL CHECK (satisfied BETWEEN 0 AND cardinality(answers)),
    rated_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX dossier_rating_rated_at_idx ON dossier_rating (rated_at);
