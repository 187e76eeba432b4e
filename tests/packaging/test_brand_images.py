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


@pytest.mark.parametrize("name", sorted(BRAND_IMAGES))
def test_image_size(name: str) -> None:
    path = BRAND_DIR / name
    if not path.exists():
        pytest.skip(f"brand/{name} is optional and absent")
    width, height = png_size(path)
    low, high, square = BRAND_IMAGES[name]
    if square:
        assert (width, height) == (low, low)
    else:
        assert low <= min(width, height) <= high, (width, height)
        assert width >= height, "a logo is landscape or square"


@pytest.mark.parametrize("stem", ["icon", "logo", "dark_icon", "dark_logo"])
def test_hidpi_variant_is_twice_the_size(stem: str) -> None:
    normal, hidpi = BRAND_DIR / f"{stem}.png", BRAND_DIR / f"{stem}@2x.png"
    if not (normal.exists() and hidpi.exists()):
        pytest.skip(f"{stem} has no @2x pair")
    width, height = png_size(normal)
    assert png_size(hidpi) == (2 * width, 2 * height)
