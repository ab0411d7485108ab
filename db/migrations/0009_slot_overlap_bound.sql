-- Creating a slot must not get slower as the calendar fills. The overlap triggers of 0001 looked at every
-- earlier slot of the teacher (`starts_at < new end` is a range with no lower end). A slot is at most 12 hours
-- (MAX_SLOT_MINUTES in worker/calendar/slot-views.ts, which every API path already enforced), and from now on
-- the database refuses a longer or empty one too, so a slot that overlaps the new one (buffer included) must
-- start less than 12 hours plus the buffer before it: the triggers read only that stretch of the
-- (teacher_id, starts_at) index. 43200000 ms = 12 hours; change it together with MAX_SLOT_MINUTES.
CREATE TRIGGER slots_length_insert BEFORE INSERT ON slots
WHEN NEW.ends_at <= NEW.starts_at OR NEW.ends_at - NEW.starts_at > 43200000
BEGIN
  SELECT RAISE(ABORT, 'SLOT_LENGTH');
END;
--> statement-breakpoint
CREATE TRIGGER slots_length_update BEFORE UPDATE OF starts_at, ends_at ON slots
WHEN NEW.ends_at <= NEW.starts_at OR NEW.ends_at - NEW.starts_at > 43200000
BEGIN
  SELECT RAISE(ABORT, 'SLOT_LENGTH');
END;
--> statement-breakpoint
DROP TRIGGER slots_no_overlap_insert;
--> statement-breakpoint
CREATE TRIGGER slots_no_overlap_insert BEFORE INSERT ON slots
WHEN NEW.status <> 'canceled' AND EXISTS (
  SELECT 1 FROM teachers t JOIN slots s ON s.teacher_id = t.id
  WHERE t.id = NEW.teacher_id
    AND s.starts_at > NEW.starts_at - 43200000 - t.buffer_minutes * 60000
    AND s.starts_at < NEW.ends_at + t.buffer_minutes * 60000
    AND s.ends_at + t.buffer_minutes * 60000 > NEW.starts_at
    AND s.status <> 'canceled'
)
BEGIN
  SELECT RAISE(ABORT, 'SLOT_OVERLAP');
END;
--> statement-breakpoint
DROP TRIGGER slots_no_overlap_update;
--> statement-breakpoint
CREATE TRIGGER slots_no_overlap_update BEFORE UPDATE OF starts_at, ends_at, status ON slots
WHEN NEW.status <> 'canceled' AND EXISTS (
  SELECT 1 FROM teachers t JOIN slots s ON s.teacher_id = t.id
  WHERE t.id = NEW.teacher_id
    AND s.starts_at > NEW.starts_at - 43200000 - t.buffer_minutes * 60000
    AND s.starts_at < NEW.ends_at + t.buffer_minutes * 60000
    AND s.ends_at + t.buffer_minutes * 60000 > NEW.starts_at
    AND s.id <> NEW.id
    AND s.status <> 'canceled'
)
BEGIN
  SELECT RAISE(ABORT, 'SLOT_OVERLAP');
END;
