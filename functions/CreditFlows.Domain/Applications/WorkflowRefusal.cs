namespace CreditFlows.Domain.Applications;

/// <summary>Why a command was refused; the API turns each kind into its status code. Nothing is written.</summary>
public enum RefusalKind
{
    /// <summary>Bad or missing input (400); <see cref="WorkflowRefusal.Fields"/> names the fields.</summary>
    Invalid = 1,

    /// <summary>The command does not fit the current state (409).</summary>
    WrongState = 2,

    /// <summary>The caller may not do this: role, branch or separation of duties (403).</summary>
    NotPermitted = 3,
}

public sealed class WorkflowRefusal : Exception
{
    private WorkflowRefusal(RefusalKind kind, string message, IReadOnlyDictionary<string, string[]> fields, ApplicationState? currentState = null)
        : base(message)
    {
        Kind = kind;
        Fields = fields;
        CurrentState = currentState;
    }

    /// <summary>For <see cref="RefusalKind.WrongState"/>: the state the application is in.</summary>
    public ApplicationState? CurrentState { get; }

    public RefusalKind Kind { get; }

    /// <summary>Field path (camelCase, as in the request body) → what is wrong with it.</summary>
    public IReadOnlyDictionary<string, string[]> Fields { get; }

    public static WorkflowRefusal Invalid(string field, string problem) =>
        new(RefusalKind.Invalid, $"{field}: {problem}", new Dictionary<string, string[]> { [field] = [problem] });

    public static WorkflowRefusal Invalid(IReadOnlyList<FieldProblem> problems) =>
        new(RefusalKind.Invalid,
            string.Join("; ", problems.Select(p => $"{p.Field}: {p.Problem}")),
            problems.GroupBy(p => p.Field).ToDictionary(g => g.Key, g => g.Select(p => p.Problem).ToArray()));

    public static WorkflowRefusal WrongState(string command, ApplicationState current) =>
        new(RefusalKind.WrongState, $"'{command}' cannot be done while the application is {current}.", new Dictionary<string, string[]>(), current);

    public static WorkflowRefusal WrongState(string command, ApplicationState current, string why) =>
        new(RefusalKind.WrongState, $"'{command}': {why}", new Dictionary<string, string[]>(), current);

    public static WorkflowRefusal NotPermitted(string why) =>
        new(RefusalKind.NotPermitted, why, new Dictionary<string, string[]>());
}

public sealed record FieldProblem(string Field, string Problem);
