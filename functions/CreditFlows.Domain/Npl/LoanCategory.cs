using System.Text.Json.Serialization;

namespace CreditFlows.Domain.Npl;

/// <summary>The five-category classification (五级分类), best to worst. The last three are non-performing.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<LoanCategory>))]
public enum LoanCategory : byte
{
    Normal = 1,
    SpecialMention = 2,
    Substandard = 3,
    Doubtful = 4,
    Loss = 5,
}

public static class LoanCategories
{
    public static readonly IReadOnlyList<LoanCategory> All =
        [LoanCategory.Normal, LoanCategory.SpecialMention, LoanCategory.Substandard, LoanCategory.Doubtful, LoanCategory.Loss];

    /// <summary>Substandard, doubtful and loss are non-performing loans (NPL).</summary>
    public static bool IsNpl(this LoanCategory category) => category >= LoanCategory.Substandard;

    /// <summary>The worse of two categories (a higher value is a worse loan).</summary>
    public static LoanCategory Worst(LoanCategory a, LoanCategory b) => a >= b ? a : b;

    public static bool TryParse(string? text, out LoanCategory category)
    {
        category = default;
        var name = Enum.GetNames<LoanCategory>().FirstOrDefault(n => n.Equals(text?.Trim(), StringComparison.OrdinalIgnoreCase));
        if (name is null)
        {
            return false;
        }

        category = Enum.Parse<LoanCategory>(name);
        return true;
    }
}
