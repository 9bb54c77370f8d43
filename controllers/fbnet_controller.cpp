#include "controllers/fbnet_controller.h"

#include <ATen/CPUGeneratorImpl.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>

#include "controllers/tensor_record.h"
#include "spaces/fbnet_space.h"
#include "spaces/infra/errors.h"
#include "spaces/registry.h"

namespace controllers {
namespace {

const spaces::FbnetSpace& fbnet_space(const spaces::SpacePtr& space) {
  const auto* fbnet = dynamic_cast<const spaces::FbnetSpace*>(space.get());
  if (fbnet == nullptr) throw spaces::OptionError("controller fbnet searches the fbnet space, not " + space->spec());
  return *fbnet;
}

const std::vector<std::string>& loss_forms() {
  static const std::vector<std::string> forms = {"multiplicative", "additive"};
  return forms;
}

const std::vector<std::string>& derivations() {
  static const std::vector<std::string> ways = {"argmax", "sample"};
  return ways;
}

// τ's floor: (θ + g) / τ stays finite however long the decay runs.
constexpr double kMinTemperature = 1e-3;

}  // namespace

FbnetController::FbnetController(spaces::SpacePtr space, FbnetOptions options, std::uint64_t seed)
    : space_(std::move(space)),
      options_(std::move(options)),
      generator_(at::make_generator<at::CPUGeneratorImpl>(seed)) {
  layers_ = fbnet_space(space_).num_layers();
  if (options_.loss() == "multiplicative" && options_.alpha() <= 0) {
    throw spaces::OptionError(
        "fbnet: the multiplicative loss CE * alpha * log(LAT)^beta needs alpha > 0 (0 makes it 0)");
  }
  if (options_.derive() == "sample" && options_.samples() < 1) {
    throw spaces::OptionError("fbnet: derive = \"sample\" needs samples >= 1");
  }
  const auto blocks = static_cast<std::int64_t>(spaces::FbnetSpace::block_names().size());
  theta_ = torch::full({layers_, blocks}, options_.init_theta(), torch::kFloat).requires_grad_(true);
  adam_ = std::make_unique<torch::optim::Adam>(std::vector<torch::Tensor>{theta_},
                                               torch::optim::AdamOptions(options_.lr())
                                                   .betas({options_.beta1(), options_.beta2()})
                                                   .weight_decay(options_.weight_decay()));
}

bool FbnetController::needs_latency() const { return options_.loss() == "multiplicative" || options_.alpha() != 0; }

void FbnetController::use_cost_model(CostModel* model) {
  const auto table =
      model == nullptr ? std::vector<std::map<std::vector<std::int64_t>, double>>{} : model->layer_latency_ms();
  if (table.empty()) {
    if (needs_latency()) {
      throw spaces::OptionError("fbnet: the " + options_.loss() +
                                " loss needs the latency of every block: set [search] latency_table (a file measured "
                                "once on this machine), or use loss = \"additive\" with alpha = 0 for plain "
                                "cross-entropy");
    }
    return;
  }
  if (static_cast<std::int64_t>(table.size()) != layers_) {
    throw spaces::OptionError("fbnet: the latency table has " + std::to_string(table.size()) +
                              " searched layers, the space " + std::to_string(layers_));
  }
  const auto blocks = theta_.size(1);
  latency_ms_ = torch::empty({layers_, blocks}, torch::kFloat);
  auto ms = latency_ms_.accessor<float, 2>();
  for (std::int64_t l = 0; l < layers_; ++l) {
    for (std::int64_t b = 0; b < blocks; ++b) {
      const auto it = table[static_cast<std::size_t>(l)].find({b});
      if (it == table[static_cast<std::size_t>(l)].end()) {
        throw spaces::OptionError("fbnet: the latency table has no entry for block " +
                                  spaces::FbnetSpace::block_names()[static_cast<std::size_t>(b)] + " of layer " +
                                  std::to_string(l));
      }
      ms[l][b] = static_cast<float>(it->second);
    }
  }
}

std::vector<Phase> FbnetController::phases(std::int64_t epoch) const {
  const EvaluatePhase evaluate{.updates = 1, .per_update = 1 + options_.samples()};
  if (epoch < options_.warmup_epochs()) return {TrainWeightsPhase{PathSource::kMixed, false}, evaluate};
  return {TrainWeightsPhase{PathSource::kMixed, false}, TrainArchitecturePhase{}, evaluate};
}

std::vector<std::string> FbnetController::candidate_ops() const { return spaces::FbnetSpace::block_names(); }

double FbnetController::temperature() const {
  const std::int64_t theta_epochs = std::max<std::int64_t>(0, epochs_done_ - options_.warmup_epochs());
  return std::max(kMinTemperature,
                  options_.temperature() * std::exp(-options_.temperature_decay() * double(theta_epochs)));
}

std::vector<torch::Tensor> FbnetController::edge_weights() {
  torch::Tensor gumbel;
  {
    torch::NoGradGuard no_grad;
    gumbel = -torch::empty_like(theta_).exponential_(1.0, generator_).log();
  }
  return {torch::softmax((theta_ + gumbel) / temperature(), -1)};
}

torch::Tensor FbnetController::architecture_loss(const torch::Tensor& cross_entropy,
                                                 const std::vector<torch::Tensor>& edge_weights) {
  if (!needs_latency()) return cross_entropy;
  if (!latency_ms_.defined()) throw std::logic_error("fbnet: architecture_loss before use_cost_model gave latencies");
  const torch::Tensor latency_ms = (edge_weights.at(0) * latency_ms_).sum();
  if (options_.loss() == "additive") return cross_entropy + options_.alpha() * latency_ms.pow(options_.beta());
  const torch::Tensor latency_us = (latency_ms * 1000.0).clamp_min(std::exp(1.0));
  return cross_entropy * options_.alpha() * latency_us.log().pow(options_.beta());
}

UpdateStats FbnetController::architecture_step(const std::vector<torch::Tensor>& gradients, double validation_loss) {
  if (gradients.size() != 1) throw std::invalid_argument("fbnet: architecture_step takes 1 gradient (θ)");
  adam_->zero_grad();
  theta_.mutable_grad() = gradients[0].detach().clone();
  adam_->step();
  UpdateStats stats;
  stats.loss = validation_loss;
  stats.count = 1;
  stats.entropy = mean_row_entropy(theta_);
  return stats;
}

spaces::Arch FbnetController::argmax() const {
  torch::NoGradGuard no_grad;
  const torch::Tensor best = theta_.argmax(-1).contiguous();
  std::vector<std::int64_t> tokens(best.data_ptr<std::int64_t>(), best.data_ptr<std::int64_t>() + best.numel());
  spaces::Arch arch = space_->make_arch(std::move(tokens));
  space_->validate(arch);
  return arch;
}

std::vector<spaces::Arch> FbnetController::draw(int n) {
  std::vector<spaces::Arch> archs;
  torch::NoGradGuard no_grad;
  const torch::Tensor probabilities = torch::softmax(theta_, -1);
  for (int i = 0; i < n; ++i) {
    const torch::Tensor chosen = torch::multinomial(probabilities, 1, false, generator_).view({-1}).contiguous();
    std::vector<std::int64_t> tokens(chosen.data_ptr<std::int64_t>(), chosen.data_ptr<std::int64_t>() + chosen.numel());
    archs.push_back(space_->make_arch(std::move(tokens)));
  }
  return archs;
}

std::vector<Proposal> FbnetController::propose(int n) {
  if (n <= 0) return {};
  std::vector<Proposal> proposals{Proposal{ids_.issue(), argmax()}};
  last_samples_ = draw(n - 1);
  for (const spaces::Arch& arch : last_samples_) proposals.push_back(Proposal{ids_.issue(), arch});
  return proposals;
}

std::vector<spaces::Arch> FbnetController::sample(int n) { return draw(std::max(n, 0)); }

double FbnetController::table_latency_ms(const spaces::Arch& arch) const {
  if (!latency_ms_.defined()) return std::numeric_limits<double>::quiet_NaN();
  space_->validate(arch);
  double ms = 0;
  auto table = latency_ms_.accessor<float, 2>();
  for (std::int64_t l = 0; l < layers_; ++l) ms += table[l][arch.tokens.at(static_cast<std::size_t>(l))];
  return ms;
}

UpdateStats FbnetController::observe(const std::vector<Feedback>& feedback) {
  ids_.settle(feedback, "fbnet");
  const spaces::Arch best = argmax();
  torch::NoGradGuard no_grad;
  const torch::Tensor probabilities = torch::softmax(theta_, -1);
  report_.records.push_back(spaces::Record("theta")
                                .set("probabilities", number_array(probabilities))
                                .set("temperature", temperature())
                                .set("argmax", space_->to_string(best))
                                .set("argmax_table_latency_ms", table_latency_ms(best)));
  report_.log.push_back("argmax " + space_->to_string(best) + "; temperature " + std::to_string(temperature()));
  ++epochs_done_;
  UpdateStats stats;
  stats.count = static_cast<std::int64_t>(feedback.size());
  stats.mean_reward = mean_reward(feedback);
  stats.entropy = mean_row_entropy(theta_);
  return stats;
}

std::vector<spaces::Arch> FbnetController::result() const {
  if (options_.derive() == "sample" && !last_samples_.empty()) return last_samples_;
  return {argmax()};
}

void FbnetController::state_fields(StateFields& fields) {
  bind_tensor_copy(fields, "theta", theta_);
  bind_adam(fields, "adam", *adam_, {theta_});
  bind_generator(fields, "generator", generator_);
  fields.integer("epochs_done", epochs_done_);
  std::string samples;
  for (const spaces::Arch& arch : last_samples_) {
    for (std::int64_t token : arch.tokens) samples += std::to_string(token) + " ";
    samples += "\n";
  }
  fields.text("last_samples", samples);
  if (fields.loading()) {
    last_samples_.clear();
    std::istringstream lines(samples);
    for (std::string line; std::getline(lines, line);) {
      std::istringstream numbers(line);
      std::vector<std::int64_t> tokens;
      for (std::int64_t token = 0; numbers >> token;) tokens.push_back(token);
      spaces::Arch arch = space_->make_arch(std::move(tokens));
      space_->validate(arch);
      last_samples_.push_back(std::move(arch));
    }
    report_ = {};
  }
  ids_.state_fields(fields);
}

const spaces::OptionSchema<FbnetOptions>& FbnetOptions::schema() {
  using O = FbnetOptions;
  static const auto schema =
      spaces::OptionSchema<O>()
          .field(
              "lr", [](O & o) -> auto& { return o.lr(); }, "θ Adam learning rate", 0, 10)
          .field(
              "beta1", [](O & o) -> auto& { return o.beta1(); }, "θ Adam beta1", 0, 1)
          .open_above()
          .field(
              "beta2", [](O & o) -> auto& { return o.beta2(); }, "θ Adam beta2", 0, 1)
          .open_above()
          .field(
              "weight_decay", [](O & o) -> auto& { return o.weight_decay(); }, "θ Adam weight decay", 0, 1)
          .field(
              "init_theta", [](O & o) -> auto& { return o.init_theta(); }, "every θ entry at the start", -100, 100)
          .field(
              "temperature", [](O & o) -> auto& { return o.temperature(); }, "Gumbel-softmax temperature at the start",
              1e-3, 1000)
          .field(
              "temperature_decay", [](O & o) -> auto& { return o.temperature_decay(); },
              "temperature *= exp(-temperature_decay) after each θ epoch", 0, 10)
          .field(
              "warmup_epochs", [](O & o) -> auto& { return o.warmup_epochs(); },
              "epochs of weight training before θ's first (Anna: 10 of 180)", 0, 1000000)
          .field(
              "loss", [](O & o) -> auto& { return o.loss(); },
              "θ loss: multiplicative CE*alpha*log(LAT us)^beta (the paper's) or additive CE+alpha*(LAT ms)^beta "
              "(JunrQ's)",
              0, 0, loss_forms())
          .field(
              "alpha", [](O & o) -> auto& { return o.alpha(); }, "the latency term's α (the paper's 0.2)", 0, 100)
          .field(
              "beta", [](O & o) -> auto& { return o.beta(); }, "the latency term's β (the paper's 0.6)", 0, 10)
          .field(
              "samples", [](O & o) -> auto& { return o.samples(); },
              "architectures drawn from P_θ at each evaluation, beside the argmax", 0, 1000)
          .field(
              "derive", [](O & o) -> auto& { return o.derive(); },
              "the result: argmax of θ per layer, or the last samples from P_θ (each to train from scratch)", 0, 0,
              derivations());
  return schema;
}

REGISTER_CONTROLLER(fbnet,
                    "FBNet: Gumbel-softmax supernet of per-layer blocks, θ by gradient of a latency-aware loss "
                    "(Wu et al. 2019)",
                    Capabilities{.spaces = {"fbnet"}, .needs_shared_weights = true, .differentiable = true},
                    FbnetOptions::schema().specs(),
                    [](spaces::SpacePtr space, const spaces::Params& params,
                       std::uint64_t seed) -> std::unique_ptr<Controller> {
                      return std::make_unique<FbnetController>(std::move(space), FbnetOptions::schema().read(params),
                                                               seed);
                    });

}  // namespace controllers
