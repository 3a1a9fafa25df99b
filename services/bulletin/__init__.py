"""The daily bulletin (bản tin truyền thanh): which articles it reads and how (composition), what is said
(script), its sound (sound: decoding, loudness, MP3 with chapters; audio: the made file in the cache), the
notice-board print (notice) and the schedule that makes it every day (schedule)."""
