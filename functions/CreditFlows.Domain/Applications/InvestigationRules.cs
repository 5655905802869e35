using CreditFlows.Domain.Common;

namespace CreditFlows.Domain.Applications;

/// <summary>
/// Which investigation fields a submission needs. Every investigation establishes the loan terms, purpose,
/// repayment source and income, existing debts, associated customers, a risk assessment and a
/// recommendation. On top of that: a farmer household's household facts (and its village credit rating for
/// micro credit); a business's licence and revenue; guarantors with their capacity for guarantee loans (at
/// least two for a joint-guarantee group); registered-or-registering collateral for mortgage and pledge
/// loans, of a type that fits.
/// </summary>
public static class InvestigationRules
{
    private const string P = "investigation.";

    public static IReadOnlyList<FieldProblem> Check(Product product, GuaranteeType guarantee, Investigation? investigation)
    {
        var problems = new List<FieldProblem>();
        if (investigation is null)
        {
            problems.Add(new("investigation", "is required."));
            return problems;
        }

        var i = investigation;
        ApplicationRules.CheckTerms(P, i.Amount, i.TermMonths, i.AnnualRatePercent, problems);
        Required(i.Purpose, "purpose", problems);
        Required(i.RepaymentSource, "repaymentSource", problems);
        if (i.AnnualIncome is not { } income)
        {
            problems.Add(new(P + "annualIncome", "is required."));
        }
        else if (income < Money.Zero)
        {
            problems.Add(new(P + "annualIncome", "must not be negative."));
        }

        CheckDebts(i.ExistingDebts, problems);
        CheckAssociates(i.AssociatedCustomers, problems);
        CheckBorrowerFacts(product, i, problems);
        CheckGuarantors(product, guarantee, i.Guarantors, problems);
        CheckCollateral(guarantee, i.Collateral, problems);

        if (i.Risk is null)
        {
            problems.Add(new(P + "risk", "is required."));
        }
        else
        {
            if (i.Risk.Rating is not ("Low" or "Medium" or "High"))
            {
                problems.Add(new(P + "risk.rating", "is required: Low, Medium or High."));
            }

            Required(i.Risk.Summary, "risk.summary", problems);
        }

        if (i.Recommendation?.Approve is null)
        {
            problems.Add(new(P + "recommendation.approve", "is required: true or false."));
        }

        return problems;
    }

    private static void CheckDebts(IReadOnlyList<Debt>? debts, List<FieldProblem> problems)
    {
        if (debts is null)
        {
            problems.Add(new(P + "existingDebts", "is required (an empty list when the borrower owes nothing)."));
            return;
        }

        for (var n = 0; n < debts.Count; n++)
        {
            var at = $"existingDebts[{n}].";
            Required(debts[n].Lender, at + "lender", problems);
            NonNegative(debts[n].Balance, at + "balance", problems);
            if (debts[n].AtThisUnion is null)
            {
                problems.Add(new(P + at + "atThisUnion", "is required: true or false."));
            }
        }
    }

    private static void CheckAssociates(IReadOnlyList<AssociatedCustomer>? associates, List<FieldProblem> problems)
    {
        if (associates is null)
        {
            problems.Add(new(P + "associatedCustomers", "is required (an empty list when there are none)."));
            return;
        }

        for (var n = 0; n < associates.Count; n++)
        {
            var at = $"associatedCustomers[{n}].";
            Required(associates[n].Name, at + "name", problems);
            Required(associates[n].Relation, at + "relation", problems);
            NonNegative(associates[n].ExposureHere, at + "exposureHere", problems);
        }
    }

    private static void CheckBorrowerFacts(Product product, Investigation i, List<FieldProblem> problems)
    {
        if (ApplicationRules.BorrowerTypeFor(product) == BorrowerType.FarmerHousehold)
        {
            if (i.Household is null)
            {
                problems.Add(new(P + "household", "is required for a farmer household."));
                return;
            }

            if (i.Household.Members is not > 0)
            {
                problems.Add(new(P + "household.members", "is required: at least 1."));
            }

            if (i.Household.Labourers is not >= 0)
            {
                problems.Add(new(P + "household.labourers", "is required: 0 or more."));
            }

            Required(i.Household.MainActivity, "household.mainActivity", problems);
            if (product == Product.FarmerMicroCredit)
            {
                Required(i.Household.CreditRating, "household.creditRating", problems);
            }
        }
        else
        {
            if (i.Business is null)
            {
                problems.Add(new(P + "business", "is required for a business borrower."));
                return;
            }

            Required(i.Business.LicenseNumber, "business.licenseNumber", problems);
            NonNegative(i.Business.AnnualRevenue, "business.annualRevenue", problems);
            Required(i.Business.Industry, "business.industry", problems);
        }
    }

    private static void CheckGuarantors(Product product, GuaranteeType guarantee, IReadOnlyList<Guarantor>? guarantors, List<FieldProblem> problems)
    {
        if (guarantee != GuaranteeType.Guarantee)
        {
            return;
        }

        var needed = product == Product.FarmerJointGuarantee ? 2 : 1;
        if (guarantors is null || guarantors.Count < needed)
        {
            problems.Add(new(P + "guarantors", needed == 1
                ? "a guarantee loan needs at least one guarantor."
                : "a joint-guarantee loan needs at least two other households in the group."));
            return;
        }

        for (var n = 0; n < guarantors.Count; n++)
        {
            var g = guarantors[n];
            var at = $"guarantors[{n}].";
            Required(g.Name, at + "name", problems);
            if (!ApplicationRules.IsResidentId(g.IdNumber) && !ApplicationRules.IsCreditCode(g.IdNumber))
            {
                problems.Add(new(P + at + "idNumber", "is required: a valid resident id number or credit code."));
            }

            Required(g.Relation, at + "relation", problems);
            NonNegative(g.NetAssets, at + "netAssets", problems);
            NonNegative(g.AnnualIncome, at + "annualIncome", problems);
            if (g.ConsentSigned is not true)
            {
                problems.Add(new(P + at + "consentSigned", "the guarantor's signed consent is required."));
            }
        }
    }

    private static void CheckCollateral(GuaranteeType guarantee, IReadOnlyList<CollateralItem>? collateral, List<FieldProblem> problems)
    {
        if (guarantee is not (GuaranteeType.Mortgage or GuaranteeType.Pledge))
        {
            return;
        }

        if (collateral is null || collateral.Count == 0)
        {
            problems.Add(new(P + "collateral", $"a {guarantee.ToString().ToLowerInvariant()} loan needs at least one collateral item."));
            return;
        }

        for (var n = 0; n < collateral.Count; n++)
        {
            var c = collateral[n];
            var at = $"collateral[{n}].";
            if (c.Type is not { } type)
            {
                problems.Add(new(P + at + "type", $"is required: one of {string.Join(", ", Enum.GetNames<CollateralType>())}."));
            }
            else if (IsPledgeType(type) != (guarantee == GuaranteeType.Pledge))
            {
                problems.Add(new(P + at + "type", $"{type} is not {(guarantee == GuaranteeType.Pledge ? "a pledge" : "a mortgage")} item."));
            }

            Required(c.Description, at + "description", problems);
            if (c.AppraisedValue is not { } value || value <= Money.Zero)
            {
                problems.Add(new(P + at + "appraisedValue", "is required: more than zero."));
            }

            Required(c.Appraiser, at + "appraiser", problems);
            Required(c.OwnerName, at + "ownerName", problems);
            if (c.RegistrationStatus is null)
            {
                problems.Add(new(P + at + "registrationStatus", $"is required: one of {string.Join(", ", Enum.GetNames<RegistrationStatus>())}."));
            }
        }
    }

    public static bool IsPledgeType(CollateralType type) => type is CollateralType.OwnCertificateOfDeposit or CollateralType.OtherPledge;

    private static void Required(string? value, string field, List<FieldProblem> problems)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            problems.Add(new(P + field, "is required."));
        }
    }

    private static void NonNegative(Money? value, string field, List<FieldProblem> problems)
    {
        if (value is not { } v)
        {
            problems.Add(new(P + field, "is required."));
        }
        else if (v < Money.Zero)
        {
            problems.Add(new(P + field, "must not be negative."));
        }
    }
}
