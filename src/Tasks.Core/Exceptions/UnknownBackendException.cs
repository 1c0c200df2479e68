namespace Tasks;

/// <summary>No backend is configured under the alias asked for.</summary>
public sealed class UnknownBackendException : InvalidTaskException
{
    /// <summary>Creates the exception for <paramref name="alias"/>, listing the aliases that exist.</summary>
    public UnknownBackendException(string alias, IEnumerable<string> known)
        : base($"No task backend is configured with alias '{alias}'. Configured backends: {string.Join(", ", known.Select(k => $"'{k}'"))}.", "Backend", alias)
    {
    }
}
