"""Regenerate the bundled sample scans (run by hand; the outputs are committed)."""

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parents[1] / "samples"
sys.path.insert(0, str(Path(__file__).parent))

from letters import (  # noqa: E402
    ENGLISH_LETTER,
    HINDI_LETTER,
    grey_uneven,
    noisy,
    quarter_turn,
    render_page,
    rotate,
    save,
    save_multipage,
)

hindi = render_page(HINDI_LETTER)
english = render_page(ENGLISH_LETTER)
save(noisy(rotate(hindi, 4.5)), HERE / "hindi-letter-skewed.jpg", quality=55)
save(quarter_turn(english, 90), HERE / "english-letter-turned.png")
save_multipage([grey_uneven(hindi), english], HERE / "two-page-grey.pdf")
