package vn.onewindow.common.calendar;

import java.time.LocalDate;

/** A supplement re-dates the dossier: the previous due date is kept next to the new one (NgayHenTraTruoc/Moi). */
public record Redating(LocalDate previous, DueDate current) {
}
