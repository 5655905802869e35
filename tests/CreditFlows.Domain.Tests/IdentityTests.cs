using CreditFlows.Domain.Identity;

namespace CreditFlows.Domain.Tests;

public class IdentityTests
{
    private static CreditUser User(string branch, params Role[] roles) => new("u1", "Someone", roles.ToHashSet(), BranchId.Parse(branch));

    [Fact]
    public void Branch_staff_act_on_their_own_branch_only()
    {
        var officer = User("B01", Role.LoanOfficer);

        Assert.True(officer.CanAccess(BranchId.Parse("B01")));
        Assert.False(officer.CanAccess(BranchId.Parse("B02")));
        Assert.False(officer.SeesAllBranches);
    }

    [Fact]
    public void Headquarters_staff_act_on_every_branch()
    {
        var hqReviewer = User("HQ", Role.Reviewer);

        Assert.True(hqReviewer.CanAccess(BranchId.Parse("B02")));
        Assert.True(hqReviewer.SeesAllBranches);
    }

    [Theory]
    [InlineData(Role.HqCreditDept)]
    [InlineData(Role.CommitteeMember)]
    [InlineData(Role.CommitteeChair)]
    [InlineData(Role.HqAdmin)]
    [InlineData(Role.Auditor)]
    public void Headquarters_roles_and_audit_see_every_branch_wherever_the_account_sits(Role role) =>
        Assert.True(User("B03", role).CanAccess(BranchId.Parse("B01")));

    [Theory]
    [InlineData("b01", "B01")]
    [InlineData(" HQ ", "HQ")]
    [InlineData("B-12", "B-12")]
    public void Branch_ids_are_normalised_to_upper_case(string text, string expected) =>
        Assert.Equal(expected, BranchId.Parse(text).Value);

    [Theory]
    [InlineData("")]
    [InlineData("  ")]
    [InlineData("B/01")]
    [InlineData("-B01")]
    [InlineData("B01 B02")]
    [InlineData("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456")]
    public void Malformed_branch_ids_are_refused(string text) => Assert.False(BranchId.TryParse(text, out _));

    [Theory]
    [InlineData("HqAdmin", Role.HqAdmin)]
    [InlineData("loanofficer", Role.LoanOfficer)]
    public void Role_names_parse_case_insensitively(string text, Role expected)
    {
        Assert.True(Roles.TryParse(text, out var role));
        Assert.Equal(expected, role);
    }

    [Theory]
    [InlineData("Teller")]
    [InlineData("42")]
    [InlineData("")]
    [InlineData("7")]
    [InlineData("LoanOfficer,Reviewer")]
    [InlineData("Reviewer, HqCreditDept")]
    public void Unknown_roles_numbers_and_role_lists_are_not_roles(string text) => Assert.False(Roles.TryParse(text, out _));
}
