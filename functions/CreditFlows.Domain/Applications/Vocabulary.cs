using System.Text.Json.Serialization;

namespace CreditFlows.Domain.Applications;

/// <summary>
/// Where a loan application is. Draft → Submitted → Investigation → Review → Authorisation (tier 1..n) →
/// Approved → Contracted → ReadyForDisbursement → Disbursed; Rejected, Withdrawn and Expired end it.
/// </summary>
[JsonConverter(typeof(JsonStringEnumConverter<ApplicationState>))]
public enum ApplicationState
{
    Draft = 1,
    Submitted = 2,
    Investigation = 3,
    Review = 4,
    Authorisation = 5,
    Approved = 6,
    Contracted = 7,
    ReadyForDisbursement = 8,
    Disbursed = 9,
    Rejected = 10,
    Withdrawn = 11,
    Expired = 12,
}

/// <summary>The credit products of a rural credit cooperative.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<Product>))]
public enum Product
{
    /// <summary>农户小额信用贷款: farmers' micro credit, on the household's credit rating.</summary>
    FarmerMicroCredit = 1,

    /// <summary>农户联保贷款: farmers' joint-guarantee loan, a group of households guaranteeing each other.</summary>
    FarmerJointGuarantee = 2,

    /// <summary>Farmer household production and consumption loans.</summary>
    FarmerHousehold = 3,

    /// <summary>个体工商户: individual business loans.</summary>
    IndividualBusiness = 4,

    /// <summary>Small enterprise loans.</summary>
    SmallEnterprise = 5,
}

[JsonConverter(typeof(JsonStringEnumConverter<BorrowerType>))]
public enum BorrowerType
{
    FarmerHousehold = 1,
    IndividualBusiness = 2,
    SmallEnterprise = 3,
}

/// <summary>The four guarantee types the authority limits are set by.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<GuaranteeType>))]
public enum GuaranteeType
{
    Credit = 1,
    Guarantee = 2,
    Mortgage = 3,
    Pledge = 4,
}

/// <summary>An authorisation tier, in ascending order of authority.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ApprovalTier>))]
public enum ApprovalTier
{
    BranchDirector = 1,
    HqCreditDept = 2,
    Committee = 3,
}

[JsonConverter(typeof(JsonStringEnumConverter<CollateralType>))]
public enum CollateralType
{
    /// <summary>Mortgage: buildings and the land use rights under them.</summary>
    RealEstate = 1,

    /// <summary>Mortgage: rural land contract management rights, forest rights.</summary>
    LandUseRight = 2,

    /// <summary>Mortgage: machinery, equipment, vehicles.</summary>
    Equipment = 3,

    /// <summary>Pledge: certificates of deposit issued by this cooperative (may stay at branch level).</summary>
    OwnCertificateOfDeposit = 4,

    /// <summary>Pledge: deposits, bonds, receivables, warehouse receipts elsewhere.</summary>
    OtherPledge = 5,
}

[JsonConverter(typeof(JsonStringEnumConverter<RegistrationStatus>))]
public enum RegistrationStatus
{
    NotRegistered = 1,
    InProgress = 2,
    Registered = 3,
}

/// <summary>Why an application was rejected; <see cref="Other"/> needs a comment.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<RejectionReason>))]
public enum RejectionReason
{
    InsufficientRepaymentCapacity = 1,
    InadequateCollateral = 2,
    PoorCreditHistory = 3,
    PurposeNotPermitted = 4,
    ExcessiveConcentration = 5,
    FalseOrIncompleteInformation = 6,

    /// <summary>The loan review committee did not approve (votes, veto or deadline): the closing comment says which.</summary>
    RejectedByCommittee = 7,
    Other = 99,
}

[JsonConverter(typeof(JsonStringEnumConverter<ReviewOutcome>))]
public enum ReviewOutcome
{
    Pass = 1,
    Return = 2,
}

[JsonConverter(typeof(JsonStringEnumConverter<DecisionOutcome>))]
public enum DecisionOutcome
{
    Approve = 1,
    Reject = 2,
    Return = 3,
}

/// <summary>A duty that carries a share of responsibility for a loan.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<Duty>))]
public enum Duty
{
    Investigation = 1,
    Review = 2,
    Approval = 3,
    PostLoanManagement = 4,
}

public static class ApplicationStates
{
    public static bool IsTerminal(this ApplicationState state) =>
        state is ApplicationState.Rejected or ApplicationState.Withdrawn or ApplicationState.Expired or ApplicationState.Disbursed;

    /// <summary>States an application can still be withdrawn from or expire in: before a contract is signed.</summary>
    public static bool IsBeforeContract(this ApplicationState state) =>
        state is ApplicationState.Draft or ApplicationState.Submitted or ApplicationState.Investigation
            or ApplicationState.Review or ApplicationState.Authorisation or ApplicationState.Approved;
}
