"""One recipient's copy of an activity: merge fields, tracked links, the footer, inlined CSS, a text part."""
