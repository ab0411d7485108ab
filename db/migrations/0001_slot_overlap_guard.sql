-- The database refuses overlapping slots for one teacher (canceled slots do not count), including the
-- teacher's buffer between slots. The API checks first to give a precise message; this is the last word,
-- and it makes a batch of many inserts all-or-nothing.
CREATE TRIGGER slots_no_overlap_insert BEFORE INSERT ON slots
WHEN NEW.status <> 'canceled' AND EXISTS (
  SELECT 1 FROM slots s JOIN teachers t ON t.id = NEW.teacher_id
  WHERE s.teacher_id = NEW.teacher_id AND s.status <> 'canceled'
    AND s.starts_at < NEW.ends_at + t.buffer_minutes * 60000
    AND s.ends_at + t.buffer_minutes * 60000 > NEW.starts_at
)
BEGIN
  SELECT RAISE(ABORT, 'SLOT_OVERLAP');
END;
--> statement-breakpoint
CREATE TRIGGER slots_no_overlap_update BEFORE UPDATE OF starts_at, ends_at, status ON slots
WHEN NEW.status <> 'canceled' AND EXISTS (
  SELECT 1 FROM slots s JOIN teachers t ON t.id = NEW.teacher_id
  WHERE s.teacher_id = NEW.teacher_id AND s.id <> NEW.id AND s.status <> 'canceled'
    AND s.starts_at < NEW.ends_at + t.buffer_minutes * 60000
    AND s.ends_at + t.buffer_minutes * 60000 > NEW.starts_at
)
BEGIN
  SELECT RAISE(ABORT, 'SLOT_OVERLAP');
END;
