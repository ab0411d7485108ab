-- Booking is decided by the database. A scheduled booking can only be inserted for an open slot of the same
-- teacher, and inserting it books the slot: two students racing for one slot can't both win, and a booking
-- batch whose claim fails rolls back whole (the partial unique index on bookings is a second guard).
CREATE TRIGGER bookings_claim_open_slot BEFORE INSERT ON bookings
WHEN NEW.status = 'scheduled' AND NOT EXISTS (
  SELECT 1 FROM slots WHERE id = NEW.slot_id AND teacher_id = NEW.teacher_id AND status = 'open'
)
BEGIN
  SELECT RAISE(ABORT, 'SLOT_TAKEN');
END;
--> statement-breakpoint
CREATE TRIGGER bookings_book_slot AFTER INSERT ON bookings
WHEN NEW.status = 'scheduled'
BEGIN
  UPDATE slots SET status = 'booked', updated_at = coalesce(NEW.scheduled_at, updated_at) WHERE id = NEW.slot_id;
END;
--> statement-breakpoint
-- Canceling a scheduled booking opens its slot again (a slot the teacher canceled stays canceled).
CREATE TRIGGER bookings_release_slot AFTER UPDATE OF status ON bookings
WHEN OLD.status = 'scheduled' AND NEW.status = 'canceled'
BEGIN
  UPDATE slots SET status = 'open', updated_at = coalesce(NEW.canceled_at, updated_at) WHERE id = NEW.slot_id AND status = 'booked';
END;
--> statement-breakpoint
-- A share link's booking count can't pass its limit, and a revoked link books nothing, even if the link
-- changed between the route's check and the booking batch.
CREATE TRIGGER share_links_use_limit BEFORE UPDATE OF use_count ON share_links
WHEN NEW.use_count > OLD.use_count AND (NEW.revoked_at IS NOT NULL OR (NEW.max_uses IS NOT NULL AND NEW.use_count > NEW.max_uses))
BEGIN
  SELECT RAISE(ABORT, 'LINK_USED_UP');
END;
