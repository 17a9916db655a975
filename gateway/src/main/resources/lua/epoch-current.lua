-- 1 when the epoch marker KEYS[1] is current (epoch.lua), else 0: the partition needs a seeding before numbering.
return epoch_current(KEYS[1]) and 1 or 0
