using System.Globalization;

namespace Tasks.Conformance;

/// <summary>
/// Runs an enqueue under another culture (as code serving a user of another locale would) and puts the caller's
/// culture back, so a test can tell which culture a task then runs in.
/// </summary>
public static class EnqueuerCulture
{
    /// <summary>A culture name that is not <paramref name="current"/>.</summary>
    public static string OtherThan(string current) => current == "fr-FR" ? "de-DE" : "fr-FR";

    /// <summary>Runs <paramref name="action"/> with <paramref name="culture"/> as its culture and UI culture.</summary>
    public static async Task<T> RunAsync<T>(string culture, Func<Task<T>> action)
    {
        ArgumentNullException.ThrowIfNull(action);
        var (saved, savedUi) = (CultureInfo.CurrentCulture, CultureInfo.CurrentUICulture);
        CultureInfo.CurrentCulture = CultureInfo.CurrentUICulture = new CultureInfo(culture);
        try
        {
            return await action().ConfigureAwait(false);
        }
        finally
        {
            (CultureInfo.CurrentCulture, CultureInfo.CurrentUICulture) = (saved, savedUi);
        }
    }
}
