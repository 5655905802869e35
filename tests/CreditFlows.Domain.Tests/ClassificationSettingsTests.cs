using CreditFlows.Domain.Authority;
using CreditFlows.Domain.Npl;

namespace CreditFlows.Domain.Tests;

public class ClassificationSettingsTests
{
    private static readonly ClassificationSettings Defaults = ClassificationSettings.From(NplThresholds.Default);

    [Fact]
    public void The_default_thresholds_as_settings_are_valid_and_apply_back_unchanged()
    {
        Assert.Empty(Defaults.Problems());
        Assert.Equal(1_000_000m, Defaults.OfficerNplBalance);
        Assert.Equal(NplThresholds.Default, Defaults.ApplyTo(NplThresholds.Default));
    }

    [Fact]
    public void Applied_settings_replace_every_threshold_of_the_baseline()
    {
        var stricter = Defaults with
        {
            SubstandardAfterDays = 60, RestructuredFloor = LoanCategory.Doubtful, LitigationAfterDays = 120, InspectionEveryDays = 14,
            BranchNplRatio = 0.03m, NewNplAmount = 123_456.78m,
        };
        Assert.Empty(stricter.Problems());
        var applied = stricter.ApplyTo(NplThresholds.Default);
        Assert.Equal(LoanCategory.SpecialMention, applied.Classification.Classify(60, restructured: false));
        Assert.Equal(LoanCategory.Substandard, applied.Classification.Classify(61, restructured: false));
        Assert.Equal(LoanCategory.Doubtful, applied.Classification.Classify(0, restructured: true));
        Assert.Equal(new NplRules(120, 14), applied.Rules);
        Assert.Equal(0.03m, applied.Warnings.BranchNplRatio);
        Assert.Equal(12_345_678L, applied.Warnings.NewNplAmountFen);
        Assert.Equal(100_000_000L, applied.Warnings.OfficerNplBalanceFen);
    }

    [Fact]
    public void Each_bad_value_is_named()
    {
        var bad = Defaults with
        {
            SpecialMentionAfterDays = -1, DoubtfulAfterDays = null, LossAfterDays = 3651, RestructuredFloor = (LoanCategory)9,
            LitigationAfterDays = 0, InspectionEveryDays = 366, OverdueRiseShare = 0m, BranchNplRatio = 1m,
            OfficerNplBalance = 100.001m, NewNplAmount = -5m,
        };
        Assert.Equal(
            ["specialMentionAfterDays", "doubtfulAfterDays", "lossAfterDays", "restructuredFloor", "litigationAfterDays", "inspectionEveryDays",
                "overdueRiseShare", "branchNplRatio", "officerNplBalance", "newNplAmount"],
            bad.Problems().Select(p => p.Field));
        Assert.Equal("must be from 0 to 3650 days, not -1.", bad.Problems()[0].Problem);
    }

    [Theory]
    [InlineData(0, 0, 270, 360, "substandardAfterDays", "must be more than specialMentionAfterDays (0), not 0.")]
    [InlineData(30, 20, 270, 360, "substandardAfterDays", "must be more than specialMentionAfterDays (30), not 20.")]
    [InlineData(0, 90, 90, 360, "doubtfulAfterDays", "must be more than substandardAfterDays (90), not 90.")]
    [InlineData(0, 90, 270, 269, "lossAfterDays", "must be more than doubtfulAfterDays (270), not 269.")]
    public void Day_limits_must_rise_from_category_to_category(int specialMention, int substandard, int doubtful, int loss, string field, string problem)
    {
        var settings = Defaults with { SpecialMentionAfterDays = specialMention, SubstandardAfterDays = substandard, DoubtfulAfterDays = doubtful, LossAfterDays = loss };
        var only = Assert.Single(settings.Problems());
        Assert.Equal((field, problem), (only.Field, only.Problem));
    }

    [Fact]
    public void The_edges_of_the_ranges_are_accepted()
    {
        var edges = Defaults with
        {
            SpecialMentionAfterDays = 0, SubstandardAfterDays = 1, DoubtfulAfterDays = 2, LossAfterDays = ClassificationPolicy.MaxDays,
            LitigationAfterDays = 1, InspectionEveryDays = 365, OverdueRiseShare = 10m, BranchNplRatio = 0.0001m,
            OfficerNplBalance = 0.01m, NewNplAmount = ClassificationSettings.MaxAmount,
        };
        Assert.Empty(edges.Problems());
    }
}
