"""brand/: the images HA (>= 2026.3) serves for a custom integration, at the documented sizes."""

from __future__ import annotations

import pytest

from tests.packaging.rules import BRAND_IMAGES, INTEGRATION_DIR, REQUIRED_BRAND_IMAGES, png_size

BRAND_DIR = INTEGRATION_DIR / "brand"


def test_required_images_exist() -> None:
    missing = [name for name in REQUIRED_BRAND_IMAGES if not (BRAND_DIR / name).is_file()]
    assert missing == []


def test_only_known_file_names() -> None:
    # HA looks up these names only; anything else in brand/ is dead weight in every install.
    assert sorted(p.name for p in BRAND_DIR.iterdir()) == sorted(
        name for name in BRAND_IMAGES if (BRAND_DIR / name).exists()
    )


# Optional images (dark_icon, ...) are checked when present; the required ones above always are.
PRESENT_IMAGES = sorted(name for name in BRAND_IMAGES if (BRAND_DIR / name).exists())
PRESENT_PAIRS = sorted(
    stem
    for stem in ("icon", "logo", "dark_icon", "dark_logo")
    if (BRAND_DIR / f"{stem}.png").exists() or (BRAND_DIR / f"{stem}@2x.png").exists()
)


@pytest.mark.parametrize("name", PRESENT_IMAGES)
def test_image_size(name: str) -> None:
    path = BRAND_DIR / name
    width, height = png_size(path)
    low, high, square = BRAND_IMAGES[name]
    if square:
        assert (width, height) == (low, low)
    else:
        assert low <= min(width, height) <= high, (width, height)
        assert width >= height, "a logo is landscape or square"


@pytest.mark.parametrize("stem", PRESENT_PAIRS)
def test_hidpi_variant_is_twice_the_size(stem: str) -> None:
    # An image without its @2x pair (or the reverse) is refused: HA serves both or neither well.
    normal, hidpi = BRAND_DIR / f"{stem}.png", BRAND_DIR / f"{stem}@2x.png"
    assert normal.exists() and hidpi.exists(), f"{stem} needs both sizes"
    width, height = png_size(normal)
    assert png_size(hidpi) == (2 * width, 2 * height)
