namespace Tasks.Conformance.ConformanceTasks;

/// <summary>Arguments and return value of the echo task: every JSON shape the suite checks round-trips.</summary>
public sealed record EchoPayload
{
    /// <summary>Unicode text (accents, CJK, emoji, RTL).</summary>
    public string Text { get; init; } = "";

    /// <summary>An integer.</summary>
    public long Number { get; init; }

    /// <summary>A decimal with many digits.</summary>
    public decimal Amount { get; init; }

    /// <summary>A date with a non-zero offset, which must survive exactly.</summary>
    public DateTimeOffset When { get; init; }

    /// <summary>A null value.</summary>
    public string? Nothing { get; init; }

    /// <summary>A nested object.</summary>
    public EchoChild? Child { get; init; }

    /// <summary>A collection of nested objects.</summary>
    public IReadOnlyList<EchoChild> Children { get; init; } = [];

    /// <summary>A dictionary.</summary>
    public IReadOnlyDictionary<string, int> Counts { get; init; } = new Dictionary<string, int>();

    /// <summary>A large string, to test payload size.</summary>
    public string Blob { get; init; } = "";
}
