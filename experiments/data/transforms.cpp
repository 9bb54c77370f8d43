#include "experiments/data/transforms.h"

namespace experiments {
namespace {

using torch::indexing::Slice;

// Uniform integer in [0, n) independent of the library's distributions.
std::int64_t draw_below(std::mt19937_64& rng, std::int64_t n) {
  return static_cast<std::int64_t>(rng() % static_cast<std::uint64_t>(n));
}

}  // namespace

namespace {

// uint8 pixels are scaled to [0, 1]; float data (tabular features) is taken as it is.
double scale_of(const torch::Tensor& images) { return images.scalar_type() == torch::kByte ? 255.0 : 1.0; }

}  // namespace

Normalization Normalization::of(const Dataset& data) {
  Normalization n;
  const torch::Tensor pixels = data.images.to(torch::kDouble).div(scale_of(data.images));
  for (std::int64_t c = 0; c < data.channels(); ++c) {
    const torch::Tensor channel = pixels.select(1, c);
    n.mean.push_back(channel.mean().item<double>());
    // A constant channel (a feature the training rows never vary) is left unscaled, as sklearn's StandardScaler does.
    const double std = channel.std().item<double>();
    n.std.push_back(std < 1e-6 ? 1.0 : std);
  }
  return n;
}

torch::Tensor Normalization::apply(const torch::Tensor& images) const {
  const auto channels = static_cast<std::int64_t>(mean.size());
  const torch::Tensor m = torch::tensor(mean, torch::kFloat).view({1, channels, 1, 1});
  const torch::Tensor s = torch::tensor(std, torch::kFloat).view({1, channels, 1, 1});
  return (images.to(torch::kFloat).div(static_cast<float>(scale_of(images))) - m) / s;
}

torch::Tensor augment(const torch::Tensor& batch, const AugmentOptions& options, std::mt19937_64& rng) {
  if (options.crop_padding() == 0 && !options.horizontal_flip() && options.cutout() == 0) return batch;
  torch::Tensor out = batch.clone();
  const std::int64_t h = batch.size(2), w = batch.size(3), pad = options.crop_padding();
  const torch::Tensor padded = pad > 0 ? torch::constant_pad_nd(batch, {pad, pad, pad, pad}, 0.0) : torch::Tensor();
  for (std::int64_t i = 0; i < batch.size(0); ++i) {
    torch::Tensor sample = out[i];
    if (pad > 0) {
      const std::int64_t top = draw_below(rng, 2 * pad + 1), left = draw_below(rng, 2 * pad + 1);
      sample.copy_(padded[i].index({Slice(), Slice(top, top + h), Slice(left, left + w)}));
    }
    if (options.horizontal_flip() && (rng() & 1U) != 0) sample.copy_(sample.flip({2}));
    if (options.cutout() > 0) {
      // DARTS's cutout: a square centred anywhere in the image, clipped at the borders.
      const std::int64_t cy = draw_below(rng, h), cx = draw_below(rng, w), half = options.cutout() / 2;
      const std::int64_t y0 = std::max<std::int64_t>(0, cy - half), y1 = std::min(h, cy + half);
      const std::int64_t x0 = std::max<std::int64_t>(0, cx - half), x1 = std::min(w, cx + half);
      sample.index_put_({Slice(), Slice(y0, y1), Slice(x0, x1)}, 0.0);
    }
  }
  return out;
}

std::uint64_t augment_draws_per_image(const AugmentOptions& options) {
  return (options.crop_padding() > 0 ? 2U : 0U) + (options.horizontal_flip() ? 1U : 0U) +
         (options.cutout() > 0 ? 2U : 0U);
}

}  // namespace experiments
