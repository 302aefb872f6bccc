# The one email outbox (decision 17).

import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
    ]

    operations = [
        migrations.CreateModel(
            name='Email',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(max_length=100, verbose_name='kind')),
                ('to', models.EmailField(max_length=254, verbose_name='to')),
                ('to_name', models.CharField(blank=True, max_length=200, verbose_name='name')),
                ('context', models.JSONField(blank=True, default=dict)),
                ('about', models.CharField(blank=True, max_length=100, verbose_name='about')),
                ('not_after', models.DateTimeField(blank=True, null=True, verbose_name='not after')),
                ('status', models.CharField(choices=[('owed', 'Owed'), ('sent', 'Sent'), ('failed', 'Cannot be sent'), ('cancelled', 'No longer needed')], default='owed', max_length=10, verbose_name='status')),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='created')),
                ('sent_at', models.DateTimeField(blank=True, null=True, verbose_name='sent')),
                ('error', models.TextField(blank=True, verbose_name='error')),
            ],
            options={
                'ordering': ['-pk'],
                'indexes': [models.Index(condition=models.Q(('status', 'owed')), fields=['id'], name='email_owed'), models.Index(condition=models.Q(('status', 'owed'), models.Q(('about', ''), _negated=True)), fields=['about'], name='email_owed_about')],
            },
        ),
    ]
