// Seal impressions: real PNGs of the standard sizes, red on transparent, and
// clear refusals for what cannot be drawn.
#include <catch2/catch.hpp>
#include <zhaoyin/sandbox/impression.h>
#include "png_probe.h"
#include "test_support.h"

using namespace zhaoyin::sandbox;
using zhaoyin::test::PngProbe;

namespace {

const std::vector<std::uint8_t> kPngSignature = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};

bool starts_with_png_signature(const std::vector<std::uint8_t>& data) {
  return data.size() > kPngSignature.size() && std::equal(kPngSignature.begin(), kPngSignature.end(), data.begin());
}

}  // namespace

TEST_CASE("a round company seal is a 42 mm PNG at 300 dpi, red on transparent") {
  const Impression seal = render_round_seal({"武汉长江云数科技有限公司（沙箱）", "合同专用章", "", "42010010250003"});
  REQUIRE(starts_with_png_signature(seal.png));
  CHECK(seal.width_mm == 42);
  CHECK(seal.height_mm == 42);
  CHECK(seal.width_px == 496);  // 42 / 25.4 * 300, rounded
  CHECK(seal.height_px == 496);

  PngProbe png(seal.png);
  REQUIRE(png.ok());
  CHECK(png.width() == 496);
  CHECK(png.height() == 496);
  CHECK(png.at(0, 0).a == 0);                          // transparent corners
  CHECK(png.at(495, 495).a == 0);
  CHECK(PngProbe::is_seal_red(png.at(248, 248)));      // the star's centre
  CHECK(PngProbe::is_seal_red(png.at(248, 10)));        // the ring at the top
  CHECK(PngProbe::is_seal_red(png.at(10, 248)));        // and on the left
  CHECK(png.count_red() > 496 * 496 / 20);            // ring, star and text: a good share of the disc
  CHECK(png.only_red_or_transparent());
}

TEST_CASE("the invoice seal's middle line and the seal code are drawn") {
  const std::string name = "青岛海韵投资管理合伙企业（有限合伙）（沙箱）";
  PngProbe plain(render_round_seal({name, "发票专用章", "", ""}).png);
  PngProbe coded(render_round_seal({name, "发票专用章", "", "37020056380004"}).png);
  PngProbe middle(render_round_seal({name, "发票专用章", "91370200MA3C4XYZ5K", ""}).png);
  REQUIRE(plain.ok());
  REQUIRE(coded.ok());
  REQUIRE(middle.ok());
  CHECK(coded.count_red() > plain.count_red());

  // The middle line runs across the seal between star and label (6 mm below
  // the centre, 71 px at 300 dpi): red over a much wider span of that band
  // than the star's lower points cover without it.
  const auto red_span = [](const PngProbe& png) {
    int left = png.width(), right = -1;
    for (int y = 248 + 60; y < 248 + 82; ++y) {
      for (int x = 248 - 118; x <= 248 + 118; ++x) {  // inside the arc text
        if (PngProbe::is_seal_red(png.at(x, y))) {
          left = std::min(left, x);
          right = std::max(right, x);
        }
      }
    }
    return right - left;
  };
  CHECK(red_span(middle) > 180);
  CHECK(red_span(plain) < 150);
}

TEST_CASE("the legal representative's square seal is 20 mm with a red border") {
  const Impression seal = render_square_seal({"张志伟"});
  CHECK(seal.width_px == 236);  // 20 / 25.4 * 300, rounded
  CHECK(seal.height_px == 236);
  PngProbe png(seal.png);
  REQUIRE(png.ok());
  CHECK(png.width() == 236);
  CHECK(PngProbe::is_seal_red(png.at(118, 9)));     // top border
  CHECK(PngProbe::is_seal_red(png.at(9, 118)));     // left border
  CHECK(PngProbe::is_seal_red(png.at(229, 229)));   // bottom-right corner of the border
  CHECK(png.at(0, 0).a == 0);
  CHECK(png.only_red_or_transparent());
}

TEST_CASE("two-character names get 印 and still fill the square") {
  // 刘洋 → 刘 in the right column, 洋印 on the left: ink on both halves.
  PngProbe png(render_square_seal({"刘洋"}).png);
  REQUIRE(png.ok());
  int left = 0, right = 0;
  for (int y = 20; y < 216; ++y) {
    for (int x = 20; x < 216; ++x) {
      if (PngProbe::is_seal_red(png.at(x, y))) (x < 118 ? left : right)++;
    }
  }
  CHECK(left > 500);
  CHECK(right > 500);
}

TEST_CASE("impressions follow the resolution asked for") {
  ImpressionOptions options;
  options.dpi = 150;
  const Impression seal = render_round_seal({"中原智联装备股份有限公司（沙箱）", "财务专用章", "", ""}, options);
  CHECK(seal.width_px == 248);
  PngProbe png(seal.png);
  REQUIRE(png.ok());
  CHECK(png.width() == 248);
}

TEST_CASE("impressions refuse what cannot be drawn") {
  CHECK_THROWS_AS(render_round_seal({"", "合同专用章", "", ""}), ImpressionError);
  CHECK_THROWS_AS(render_square_seal({""}), ImpressionError);
  CHECK_THROWS_AS(render_round_seal({"\xE6\xAD", "", "", ""}), ImpressionError);  // truncated UTF-8
  ImpressionOptions no_font;
  no_font.font_file = "/nonexistent/font.ttc";
  try {
    render_round_seal({"沙箱", "", "", ""}, no_font);
    FAIL("a missing font must be refused");
  } catch (const ImpressionError& e) {
    CHECK(std::string(e.what()).find("/nonexistent/font.ttc") != std::string::npos);
  }
  ImpressionOptions zero_dpi;
  zero_dpi.dpi = 0;
  CHECK_THROWS_AS(render_square_seal({"张伟"}, zero_dpi), ImpressionError);
}

TEST_CASE("UTF-8 text splits into characters") {
  CHECK(utf8_characters("沙箱A1") == std::vector<std::string>{"沙", "箱", "A", "1"});
  CHECK(utf8_characters("").empty());
  CHECK_THROWS_AS(utf8_characters("\xFF"), ImpressionError);
}
