using System.Text.RegularExpressions;
using CreditFlows.Domain.Common;

namespace CreditFlows.Domain.Applications;

/// <summary>
/// Checks on what an application says about the borrower and the loan. Field names in the problems are the
/// request body's (camelCase), so the API can name them as they were sent.
/// </summary>
public static partial class ApplicationRules
{
    /// <summary>No rural credit cooperative lends this much to one borrower: anything above is a typing error.</summary>
    public static readonly Money MaxAmount = Money.FromYuan(100_000_000m);

    public const int MaxTermMonths = 360;

    public const decimal MaxAnnualRatePercent = 24m;

    public static void CheckOpening(Borrower? borrower, Product? product, GuaranteeType? guarantee, Money? amount, int? termMonths, decimal? annualRatePercent, string? purpose, List<FieldProblem> problems)
    {
        if (borrower is null)
        {
            problems.Add(new("borrower", "is required."));
        }
        else
        {
            CheckBorrower(borrower, problems);
        }

        if (product is null)
        {
            problems.Add(new("product", $"is required: one of {string.Join(", ", Enum.GetNames<Product>())}."));
        }

        if (guarantee is null)
        {
            problems.Add(new("guaranteeType", $"is required: one of {string.Join(", ", Enum.GetNames<GuaranteeType>())}."));
        }

        if (product is { } p && borrower?.Type is { } type && BorrowerTypeFor(p) != type)
        {
            problems.Add(new("product", $"{p} is for borrowers of type {BorrowerTypeFor(p)}, not {type}."));
        }

        if (product == Product.FarmerMicroCredit && guarantee is { } g1 && g1 != GuaranteeType.Credit)
        {
            problems.Add(new("guaranteeType", "FarmerMicroCredit is a credit loan: the guarantee type must be Credit."));
        }

        if (product == Product.FarmerJointGuarantee && guarantee is { } g2 && g2 != GuaranteeType.Guarantee)
        {
            problems.Add(new("guaranteeType", "FarmerJointGuarantee is guaranteed by the group: the guarantee type must be Guarantee."));
        }

        CheckTerms("", amount, termMonths, annualRatePercent, problems);

        if (string.IsNullOrWhiteSpace(purpose))
        {
            problems.Add(new("purpose", "is required."));
        }
        else if (purpose.Length > 500)
        {
            problems.Add(new("purpose", "is at most 500 characters."));
        }
    }

    public static void CheckTerms(string prefix, Money? amount, int? termMonths, decimal? rate, List<FieldProblem> problems)
    {
        if (amount is not { } a)
        {
            problems.Add(new(prefix + "amount", "is required."));
        }
        else if (a <= Money.Zero)
        {
            problems.Add(new(prefix + "amount", "must be more than zero."));
        }
        else if (a > MaxAmount)
        {
            problems.Add(new(prefix + "amount", $"must be at most {MaxAmount} yuan."));
        }

        if (termMonths is not { } t)
        {
            problems.Add(new(prefix + "termMonths", "is required."));
        }
        else if (t is < 1 or > MaxTermMonths)
        {
            problems.Add(new(prefix + "termMonths", $"must be 1 to {MaxTermMonths} months."));
        }

        if (rate is not { } r)
        {
            problems.Add(new(prefix + "annualRatePercent", "is required."));
        }
        else if (r <= 0 || r > MaxAnnualRatePercent || decimal.Round(r, 4) != r)
        {
            problems.Add(new(prefix + "annualRatePercent", $"must be more than 0 and at most {MaxAnnualRatePercent} (a percentage, up to 4 decimals)."));
        }
    }

    public static BorrowerType BorrowerTypeFor(Product product) => product switch
    {
        Product.IndividualBusiness => BorrowerType.IndividualBusiness,
        Product.SmallEnterprise => BorrowerType.SmallEnterprise,
        _ => BorrowerType.FarmerHousehold,
    };

    private static void CheckBorrower(Borrower borrower, List<FieldProblem> problems)
    {
        if (string.IsNullOrWhiteSpace(borrower.Name))
        {
            problems.Add(new("borrower.name", "is required."));
        }

        if (borrower.Type is null)
        {
            problems.Add(new("borrower.type", $"is required: one of {string.Join(", ", Enum.GetNames<BorrowerType>())}."));
        }

        if (string.IsNullOrWhiteSpace(borrower.IdNumber))
        {
            problems.Add(new("borrower.idNumber", "is required."));
        }
        else if (borrower.Type == BorrowerType.SmallEnterprise ? !IsCreditCode(borrower.IdNumber) : !IsResidentId(borrower.IdNumber))
        {
            problems.Add(new("borrower.idNumber", borrower.Type == BorrowerType.SmallEnterprise
                ? "is not a unified social credit code (18 characters)."
                : "is not a valid 18-digit resident id number (check digit included)."));
        }
    }

    /// <summary>An 18-character resident id number whose last character is the ISO 7064 MOD 11-2 check digit.</summary>
    public static bool IsResidentId(string? value)
    {
        if (value is null || !ResidentIdShape().IsMatch(value))
        {
            return false;
        }

        return value[17] == ResidentIdCheckDigit(value.AsSpan(0, 17));
    }

    /// <summary>The check character of the first 17 digits of a resident id number.</summary>
    public static char ResidentIdCheckDigit(ReadOnlySpan<char> first17)
    {
        ReadOnlySpan<int> weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
        var sum = 0;
        for (var i = 0; i < 17; i++)
        {
            sum += (first17[i] - '0') * weights[i];
        }

        return "10X98765432"[sum % 11];
    }

    public static bool IsCreditCode(string? value) => value is not null && CreditCodeShape().IsMatch(value);

    [GeneratedRegex("^[0-9]{17}[0-9X]$")]
    private static partial Regex ResidentIdShape();

    [GeneratedRegex("^[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}$")]
    private static partial Regex CreditCodeShape();
}
