#pragma once
// Rank correlations between predicted and measured accuracies, the measure
// of a surrogate (PNAS) or a performance predictor (NAO): how well it
// orders architectures, which is all a search needs of it.

#include <vector>

namespace controllers {

// Spearman's rho: Pearson correlation of the ranks, ties given their mean
// rank. NaN for fewer than 2 values or a constant input.
double spearman(const std::vector<double>& a, const std::vector<double>& b);

// Kendall's tau-b: (concordant - discordant) pairs, corrected for ties.
// NaN for fewer than 2 values or a constant input.
double kendall_tau(const std::vector<double>& a, const std::vector<double>& b);

}  // namespace controllers
