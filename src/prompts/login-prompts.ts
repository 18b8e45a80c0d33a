import {input as text, password} from '@inquirer/prompts'
import type {LoginFlags, LoginPlan} from '../sessions/login-plan.js'

const context = {output: process.stderr}
const required = (label: string) => (v: string) => (v.trim() === '' ? `${label} is required` : true)

/** Asks for what the login still lacks; returns the flags with the answers filled in. */
export async function promptLogin(flags: LoginFlags, plan: LoginPlan): Promise<LoginFlags> {
  const out: LoginFlags = {...flags}
  for (const need of plan.missing) {
    if (need === '--url') out.url = (await text({message: 'SuperOffice URL (e.g. https://crm.example.com/SuperOffice)', validate: required('The URL')}, context)).trim()
    else if (need === '--username') out.username = (await text({message: 'User name', validate: required('The user name')}, context)).trim()
    else if (need.startsWith('--password')) out.password = await password({message: 'Password', mask: '*'}, context)
    else if (need.startsWith('--app-token')) out['app-token'] = await password({message: 'Application token (client secret)', mask: '*', validate: required('The application token')}, context)
    else if (need.startsWith('--system-token')) out['system-token'] = await password({message: 'System user token', mask: '*', validate: required('The system user token')}, context)
    else if (need === '--private-key') out['private-key'] = (await text({message: 'Private key file (PEM)', validate: required('The key file')}, context)).trim()
    else if (need === '--context-id') out['context-id'] = (await text({message: 'Context identifier (CustNNNNN)', validate: required('The context identifier')}, context)).trim()
  }
  return out
}
