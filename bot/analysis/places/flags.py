"""Bit flags stored with each (form, place) pair: code = place_index * 64 + flags."""

COMMON = 1  # the form is also an ordinary word: needs a capital and a cue or a region
ADJ = 2  # a bare region/raion/hromada adjective ("Курської"): needs its head noun after
AXIS = 4  # "на Покровському напрямку": an operational axis named after the place
WEAK = 8  # a generated (not official or curated) spelling: loses ties
NOCAP = 16  # may match in lower case ("рф")
FORCED = 32  # COMMON by the place, not the word (a village named like a person)
SHIFT = 6  # place_index << SHIFT | flags
MASK = 63
