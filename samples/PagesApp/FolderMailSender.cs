using Microsoft.Extensions.Options;

namespace PagesApp;

/// <summary>Writes each e-mail as its own file, so a test can count sends (a duplicate send is a second file).</summary>
public sealed class FolderMailSender(IOptions<MailOptions> options)
{
    public async Task SendAsync(string to, string subject, string body, string messageId, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(options.Value.Folder);
        var path = Path.Combine(options.Value.Folder, $"{to}-{messageId}.eml");
        await File.WriteAllTextAsync(path, $"To: {to}\nSubject: {subject}\n\n{body}\n", cancellationToken);
    }
}
