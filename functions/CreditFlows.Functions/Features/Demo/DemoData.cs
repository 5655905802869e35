using CreditFlows.Domain.Identity;
using CreditFlows.Functions.Features.Branches;

namespace CreditFlows.Functions.Features.Demo;

/// <summary>
/// The demo county union: headquarters, three branch cooperatives and a person in every role — two
/// <c>HqAdmin</c>s so maker-checker can be tried, and people in two branches so branch scope can be seen.
/// </summary>
public static class DemoData
{
    public static readonly IReadOnlyList<Branch> Branches =
    [
        new(BranchId.Headquarters, "县联社总部 County Union HQ"),
        new(BranchId.Parse("B01"), "城关信用社 Chengguan Credit Cooperative"),
        new(BranchId.Parse("B02"), "河口信用社 Hekou Credit Cooperative"),
        new(BranchId.Parse("B03"), "新集信用社 Xinji Credit Cooperative"),
    ];

    public static readonly IReadOnlyList<CreditUser> Users =
    [
        User("lo-b01", "王小明 (loan officer, B01)", "B01", Role.LoanOfficer),
        User("lo-b02", "李红 (loan officer, B02)", "B02", Role.LoanOfficer),
        User("rv-b01", "张伟 (reviewer, B01)", "B01", Role.Reviewer),
        User("dir-b01", "刘强 (director, B01)", "B01", Role.BranchDirector),
        User("dir-b02", "陈静 (director, B02)", "B02", Role.BranchDirector),
        User("rv-hq", "杨帆 (HQ reviewer)", "HQ", Role.Reviewer),
        User("credit-hq", "赵敏 (HQ credit dept)", "HQ", Role.HqCreditDept),
        User("cm-1", "周建国 (committee)", "HQ", Role.CommitteeMember),
        User("cm-2", "吴丽 (committee)", "HQ", Role.CommitteeMember),
        User("cm-3", "郑涛 (committee)", "HQ", Role.CommitteeMember),
        User("chair", "孙志刚 (committee chair)", "HQ", Role.CommitteeChair, Role.CommitteeMember),
        User("admin-1", "马超 (HQ admin)", "HQ", Role.HqAdmin),
        User("admin-2", "黄蕾 (HQ admin)", "HQ", Role.HqAdmin),
        User("risk-hq", "林峰 (HQ risk manager)", "HQ", Role.RiskManager),
        User("risk-b01", "何芳 (B01 risk manager)", "B01", Role.RiskManager),
        User("auditor", "高洁 (internal audit)", "HQ", Role.Auditor),
        User("core-banking", "核心系统 (core banking service)", "HQ", Role.CoreBanking),
    ];

    /// <summary>The demo loan review committee (Workflow:Committee in Development when not configured).</summary>
    public static readonly IReadOnlyList<string> Committee = ["cm-1", "cm-2", "cm-3", "chair"];

    public const string CommitteeChair = "chair";

    /// <summary>Demo mail goes to the local capture endpoint, never out, but the addresses still look like addresses.</summary>
    public static string EmailOf(CreditUser user) => $"{user.Id}@demo.creditflows.local";

    private static CreditUser User(string id, string name, string branch, params Role[] roles) =>
        new(id, name, roles.ToHashSet(), BranchId.Parse(branch));
}
